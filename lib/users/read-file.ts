/**
 * Reading the users file from disk, for start-up, `check` and the watcher: only regular
 * files, never blocking, and the fingerprint that tells the watcher the file may have changed.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { UsersFileError } from '../errors';
import { loadUsers, type LoadedUsers } from './load';
import type { UserRecord } from '../types';

/**
 * O_NONBLOCK: should the path turn into a FIFO between the type check and the open, the open
 * returns at once instead of waiting for a writer (and the check on the open file refuses
 * it). It changes nothing for regular files. O_NOCTTY: a terminal never becomes ours.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

export function isMissingFileError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO), which is never read: reading one waits for a writer';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** Refuses anything but a regular file, before anything is read from it. */
function requireRegularFile(stats: Stats, file: string): void {
  if (stats.isFile()) return;
  throw new UsersFileError(file, [
    { where: file, message: `is ${kindOf(stats)}. A users file must be a regular file: point the path at the YAML file itself.` },
  ]);
}

/** A read failure other than a missing file (which callers decide on) as a UsersFileError that says what to check. */
function unreadable(error: unknown, file: string): unknown {
  if (isMissingFileError(error) || error instanceof UsersFileError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code ?? (error instanceof Error ? error.name : 'error');
  return new UsersFileError(file, [{ where: file, message: `cannot be read (${code}): it must be a YAML file that this process may read.` }]);
}

/**
 * The text of a users file, at start-up and for `check`. Its type is checked before it is
 * opened, and again on the open file. A missing file is an ENOENT error, for the caller to decide on.
 */
export function readUsersFileTextSync(file: string): string {
  let descriptor: number | undefined;
  try {
    requireRegularFile(statSync(file), file);
    descriptor = openSync(file, OPEN_FLAGS);
    requireRegularFile(fstatSync(descriptor), file);
    return readFileSync(descriptor, 'utf8');
  } catch (error) {
    throw unreadable(error, file);
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** The text of a users file, without blocking the event loop or a thread of the pool, for reloads. */
export async function readUsersFileText(file: string): Promise<string> {
  try {
    requireRegularFile(await stat(file), file);
    const handle = await open(file, OPEN_FLAGS);
    try {
      requireRegularFile(await handle.stat(), file);
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadable(error, file);
  }
}

export const MISSING_FILE = 'missing';

/**
 * What the file system says of the file (inode, size, modification time), or MISSING_FILE:
 * it changes when the file does, though not always (a save within one tick of the clock).
 */
export async function usersFileFingerprint(file: string): Promise<string> {
  try {
    const stats = await stat(file);
    return stats.isFile() ? `${stats.ino}:${stats.size}:${stats.mtimeMs}` : `not-a-file:${stats.ino}:${stats.mode}`;
  } catch (error) {
    return isMissingFileError(error) ? MISSING_FILE : `unreadable:${String((error as NodeJS.ErrnoException).code)}`;
  }
}

/** Reads and validates a users file: the users and the warnings, as start-up finds them. For `check`. */
export function loadUsersFileSync(file: string): LoadedUsers {
  return loadUsers(readUsersFileTextSync(file), file);
}

/** Reads and validates a users file, at start-up. */
export function readUsersFileSync(file: string): UserRecord[] {
  return loadUsersFileSync(file).records;
}

/** Reads and validates a users file without blocking. */
export async function readUsersFile(file: string): Promise<UserRecord[]> {
  return loadUsers(await readUsersFileText(file), file).records;
}
