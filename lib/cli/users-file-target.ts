import { isUtf8 } from 'node:buffer';
import type { Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { configFromEnv, type EnvConfig } from '../options/environment';
import { kindOf, readRegularFile, type RegularFile } from '../users/read-file';
import { CliError, usageError, type CliIo } from './io';

/** The users file a command works on, and how it was chosen (for messages). */
export interface UsersFileTarget {
  path: string;
  /** Named by --file or the environment: it must exist. Only the implicit default may be missing. */
  explicit: boolean;
  namedBy: string;
}

/** `--file F`, else the server's own resolution: `<P>_LOCAL_AUTH_USERS_DB_FILE`, else `.users.yml` in the working directory. */
export function resolveUsersFile(fileOption: string | undefined, io: CliIo): UsersFileTarget {
  const cwd = io.cwd ?? process.cwd();
  if (fileOption !== undefined) {
    if (fileOption.trim() === '') throw usageError('--file needs the path of a users file.');
    return { path: path.resolve(cwd, fileOption), explicit: true, namedBy: '--file' };
  }
  let config: EnvConfig;
  try {
    config = configFromEnv(io.env, cwd);
  } catch (error) {
    // The server would refuse to start with this environment: editing "its" file would be a guess.
    throw new CliError(`${(error as Error).message}\nFix the environment, or name the file with --file F.`);
  }
  const variable = ['ARGILLA', 'RUBRIX']
    .map((prefix) => `${prefix}_LOCAL_AUTH_USERS_DB_FILE`)
    .find((name) => io.env[name] !== undefined);
  const { path: file, explicit } = config.usersFile;
  return { path: file, explicit, namedBy: explicit && variable ? variable : 'the default' };
}

/** Why a missing users file cannot be used: a typo in a named path must never pass for "no file yet". */
export function missingUsersFile(target: UsersFileTarget, mayCreateDefault: boolean): CliError {
  if (target.explicit) {
    const advice = mayCreateDefault ? 'only the default .users.yml is created by add-user' : 'this command needs an existing users file';
    return new CliError(`${target.path} (named by ${target.namedBy}) does not exist. Check the path; ${advice}.`);
  }
  return new CliError(
    `${target.path} does not exist, so the server runs with its default user. Create the file with \`express-workspace-auth add-user USERNAME\`.`,
  );
}

/** Where a users file that does not exist yet will be: its folder's real path (a symbolic link to the folder followed). */
export async function realPathOfNew(file: string): Promise<string> {
  const folder = await realpath(path.dirname(file)).catch(() => path.dirname(file));
  return path.join(folder, path.basename(file));
}

/** The users file as read, with what an atomic replacement must keep (mode, owner). */
export interface CurrentFile {
  /** The file's real path: a symbolic link is followed, so the link itself stays in place. */
  realPath: string;
  bytes: Buffer;
  text: string;
  mode: number;
  uid: number;
  gid: number;
}

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

function notRegular(file: string): (stats: Stats) => CliError {
  return (stats) => new CliError(`${file} is ${kindOf(stats)}, not a regular file: a users file must be a plain YAML file. Nothing was changed.`);
}

/**
 * Reads the users file, or resolves null when there is none. Anything but a regular file is
 * refused without blocking, by the server's own reader (users/read-file.ts).
 */
export async function readRegularUsersFile(file: string): Promise<CurrentFile | null> {
  let realPath: string;
  try {
    realPath = await realpath(file);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw new CliError(`Cannot read ${file} (${errorCode(error) ?? String(error)}).`);
    const link = await lstat(file).catch(() => null);
    if (link) throw new CliError(`${file} is a symbolic link to a file that does not exist. Fix or remove the link.`);
    return null;
  }
  let read: RegularFile;
  try {
    read = await readRegularFile(realPath, notRegular(file));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`Cannot read ${file} (${errorCode(error) ?? String(error)}): it must be a file this user may read and write.`);
  }
  const { bytes, stats } = read;
  // Invalid UTF-8 would come back as U+FFFD: writing that back would change bytes nobody meant to edit.
  // (isUtf8 tells in 3 ms what decoding and encoding again told in 60, for 20 MB.)
  if (!isUtf8(bytes)) throw new CliError(`${file} is not valid UTF-8 text. Nothing was changed; fix its encoding first.`);
  return { realPath, bytes, text: bytes.toString('utf8'), mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid };
}
