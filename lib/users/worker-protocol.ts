/** What the main thread and the reload worker (reload-worker.ts) send each other. */
import type { MessagePort } from 'node:worker_threads';
import type { Problem } from '../errors';
import type { UserRecord } from '../types';

/** The one message the worker is sent: the file's bytes (transferred), and the port the users go back on. */
export interface WorkerInput {
  file: string;
  bytes: Uint8Array;
  users: MessagePort;
}

/**
 * One batch of users, in file order, a column per field: the main thread then allocates only
 * what the index keeps (the strings, one record and one user each), which matters more than
 * it seems: every object taken in young is copied by the next scavenge, on the main thread.
 * `teams[i]` indexes the batch's `lists`, or is -1 for a super-user (no `workspaces`).
 */
export interface UsersBatch {
  usernames: string[];
  emails: Array<string | null>;
  fullNames: Array<string | null>;
  disabled: Uint8Array;
  teams: Int32Array;
  lists: string[][];
  hashedPasswords: string[];
  apiKeys: string[];
  /** `apiKeyDigest` of each API key. */
  digests: string[];
}

/** A batch of records, as the worker sends them. */
export function toBatch(records: readonly UserRecord[], digest: (apiKey: string) => string): UsersBatch {
  const lists: string[][] = [];
  const listIds = new Map<string, number>();
  const teams = new Int32Array(records.length);
  const disabled = new Uint8Array(records.length);
  records.forEach(({ user }, i) => {
    disabled[i] = user.disabled ? 1 : 0;
    teams[i] = -1;
    if (user.workspaces === null) return;
    const key = JSON.stringify(user.workspaces);
    let id = listIds.get(key);
    if (id === undefined) {
      id = lists.push([...user.workspaces]) - 1;
      listIds.set(key, id);
    }
    teams[i] = id;
  });
  return {
    usernames: records.map(({ user }) => user.username),
    emails: records.map(({ user }) => user.email),
    fullNames: records.map(({ user }) => user.full_name),
    disabled,
    teams,
    lists,
    hashedPasswords: records.map((record) => record.hashedPassword),
    apiKeys: records.map((record) => record.apiKey),
    digests: records.map((record) => digest(record.apiKey)),
  };
}

/** The worker's last message: the file loaded (its users sent in `batches` batches), refused, or the worker failed. */
export type WorkerOutcome =
  | { kind: 'loaded'; batches: number; warnings: Problem[] }
  | { kind: 'refused'; problems: Problem[] }
  | { kind: 'failed'; message: string };
