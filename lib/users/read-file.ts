/**
 * Reading the users file from disk, for the server (start-up, the watcher) and the CLI alike:
 * only regular files, never blocking, and the fingerprint that tells the watcher the file may
 * have changed.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { UsersFileError } from '../errors';
import { sha256, sha256BytesOffThread } from '../util/digest';
import type { UserRecord } from '../types';
import { type LoadedUsers, type LoadOptions, loadUsers } from './load';
import { permissionAdvice } from './unreadable';

/**
 * O_NONBLOCK: should the path turn into a FIFO between the type check and the open, the open
 * returns at once instead of waiting for a writer (and the check on the open file refuses
 * it). It changes nothing for regular files. O_NOCTTY: a terminal never becomes ours.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

export function isMissingFileError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** What is at a path that is not a regular file, e.g. "a named pipe (FIFO)". */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** The error for anything but a regular file at the path: the server's and the CLI's say it their way. */
export type NotRegular = (stats: Stats) => Error;

/** A regular file's bytes and what the open file says of itself (mode, owner). */
export interface RegularFile {
  bytes: Buffer;
  stats: Stats;
}

/**
 * Reads a regular file, refusing anything else before anything is read from it: its type is
 * checked before it is opened, and again on the open file. Errors of the file system (ENOENT
 * for a missing file) are thrown as they are, for the caller to decide on.
 */
function readRegularFileSync(file: string, notRegular: NotRegular): RegularFile {
  const before = statSync(file);
  if (!before.isFile()) throw notRegular(before);
  const descriptor = openSync(file, OPEN_FLAGS);
  try {
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) throw notRegular(stats);
    return { bytes: readFileSync(descriptor), stats };
  } finally {
    closeSync(descriptor);
  }
}

/** `readRegularFileSync`, without blocking the event loop or a thread of the pool. */
export async function readRegularFile(file: string, notRegular: NotRegular): Promise<RegularFile> {
  const before = await stat(file);
  if (!before.isFile()) throw notRegular(before);
  const handle = await open(file, OPEN_FLAGS);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notRegular(stats);
    return { bytes: await handle.readFile(), stats };
  } finally {
    await handle.close();
  }
}

/** The server's refusal of anything but a regular file. */
function serverNotRegular(file: string): NotRegular {
  return (stats) => {
    const kind = stats.isFIFO() ? `${kindOf(stats)}, which is never read: reading one waits for a writer` : kindOf(stats);
    return new UsersFileError(file, [{ where: file, message: `is ${kind}. A users file must be a regular file: point the path at the YAML file itself.` }]);
  };
}

const isPermissionError = (error: unknown) => ['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException | null)?.code as string);

/**
 * A read failure other than a missing file (which callers decide on) as a UsersFileError that
 * says what to check; for a permission error, whose the file is and the command that fixes it
 * (`stats`: the file's, when stat could read them).
 */
function unreadable(error: unknown, file: string, stats?: Stats): unknown {
  if (isMissingFileError(error) || error instanceof UsersFileError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code ?? (error instanceof Error ? error.name : 'error');
  const advice = isPermissionError(error) ? permissionAdvice(file, stats) : 'it must be a YAML file that this process may read.';
  return new UsersFileError(file, [{ where: file, message: `cannot be read (${code}): ${advice}` }]);
}

/** The bytes of a users file, at start-up. A missing file is an ENOENT error, for the caller to decide on. */
export function readUsersFileBytesSync(file: string): Buffer {
  try {
    return readRegularFileSync(file, serverNotRegular(file)).bytes;
  } catch (error) {
    throw unreadable(error, file, isPermissionError(error) ? statOrUndefinedSync(file) : undefined);
  }
}

/** The bytes of a users file, without blocking the event loop or a thread of the pool, for reloads. */
export async function readUsersFileBytes(file: string): Promise<Buffer> {
  try {
    return (await readRegularFile(file, serverNotRegular(file))).bytes;
  } catch (error) {
    throw unreadable(error, file, isPermissionError(error) ? await stat(file).catch(() => undefined) : undefined);
  }
}

function statOrUndefinedSync(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * The one rule for a users file that starts with a UTF-8 byte-order mark (Windows editors write
 * one): accepted by every reader — the server, `check`, the CLI's edits, and PyYAML, which Argilla
 * uses — and read without it; the CLI writes it back as it was.
 */
export function splitByteOrderMark(text: string): { bom: string; text: string } {
  return text.startsWith(BYTE_ORDER_MARK) ? { bom: BYTE_ORDER_MARK, text: text.slice(1) } : { bom: '', text };
}

/** A users file's text: UTF-8, a leading byte-order mark read as no text (one rule for the server, `check` and the CLI). */
export const decodeUsersFile = (bytes: Buffer): string => splitByteOrderMark(bytes.toString('utf8')).text;

/** The text of a users file, at start-up and for `check`. A missing file is an ENOENT error, for the caller to decide on. */
export function readUsersFileTextSync(file: string): string {
  return decodeUsersFile(readUsersFileBytesSync(file));
}

/** The text of a users file, without blocking the event loop or a thread of the pool. */
export async function readUsersFileText(file: string): Promise<string> {
  return decodeUsersFile(await readUsersFileBytes(file));
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

/** One read of the file for a reload: its content's digest (or MISSING_FILE, or why it could not be read), and its bytes. */
export interface FileRead {
  digest: string;
  bytes?: Uint8Array;
  error?: unknown;
}

/** Reads the file without blocking: the bytes by the thread pool's reads, their digest on the pool too. */
export async function readForReload(file: string): Promise<FileRead> {
  try {
    const bytes = await readUsersFileBytes(file);
    return { digest: await sha256BytesOffThread(bytes), bytes };
  } catch (error) {
    if (isMissingFileError(error)) return { digest: MISSING_FILE };
    return { digest: `unreadable:${sha256(error instanceof Error ? error.message : String(error))}`, error };
  }
}

/**
 * Reads and validates a users file: the users and the warnings, as start-up finds them. For
 * `check`, which keeps nothing and so asks for `{ detach: false }` (load.ts).
 */
export function loadUsersFileSync(file: string, options?: Pick<LoadOptions, 'detach'>): LoadedUsers {
  return loadUsers(readUsersFileTextSync(file), file, options);
}

/** Reads and validates a users file, at start-up. */
export function readUsersFileSync(file: string): UserRecord[] {
  return loadUsersFileSync(file).records;
}

/** Reads and validates a users file without blocking. */
export async function readUsersFile(file: string): Promise<UserRecord[]> {
  return loadUsers(await readUsersFileText(file), file).records;
}
