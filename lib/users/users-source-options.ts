import type { Problem } from '../errors';
import type { Logger, UserRecord } from '../types';
import type { UsersIndex } from './users-index';

/** What a UsersSource is built from, and what it tells: the options and events of users-source.ts. */

export interface UsersSourceOptions {
  /** The users of the `users` option, in place of the file: checked as the file's would be, never reloaded. */
  entries?: readonly unknown[];
  file: string;
  /** Named explicitly: then it must exist. Only the implicit default may be missing. */
  explicit: boolean;
  /** The user of an instance whose implicit users file does not exist. */
  defaultUser: UserRecord;
  /** Watch the file and reload on change. */
  watch: boolean;
  /** How often the file is checked, in milliseconds. */
  watchIntervalMs: number;
  /** What named the file, for the advice when it is missing: the variable in use (`RUBRIX_LOCAL_AUTH_USERS_DB_FILE`) or the `usersFile` option. */
  fileNamedBy?: string;
  /** Where the warnings of each version go, at start and at every reload. Without it they are only in `warnings` and the `reload` event. */
  logger?: Pick<Logger, 'warn'>;
  /** Logged at start when the default user is in force: that it is, and variables that look meant for this plugin (EnvConfig.defaultUserWarnings). */
  defaultUserWarnings?: readonly string[];
}

export interface UsersSourceEvents {
  /** A new version of the file is in force, with its warnings. */
  reload: [users: UsersIndex, warnings: readonly Problem[]];
  /** A changed file was refused; the last good users stay in force. */
  'reload-error': [error: Error];
}

/** What names the `users` option's users in reports, `status().source` and `UsersFileError.file`. */
export const USERS_OPTION = 'users option';
