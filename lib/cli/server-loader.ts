import type { UserRecord } from '../types';
import { loadUsers } from '../users/load';

/** What the server makes of a users file's text: its users, and advice that does not stop a load. */
export interface LoadedUsers {
  records: UserRecord[];
  warnings: string[];
}

/**
 * Loads users-file text exactly as the server does, so the CLI never writes a file the server
 * would refuse. Throws the loader's UsersFileError, which lists every problem.
 * The one place the CLI calls the loader: re-point it here when the loader's shape changes.
 */
export function loadLikeServer(text: string, file: string): LoadedUsers {
  const loaded = loadUsers(text, file);
  return { records: loaded.records, warnings: loaded.warnings.map((warning) => `${warning.where}: ${warning.message}`) };
}
