import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { unlinkSync } from 'node:fs';
import { type FileHandle, lstat, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { onInterrupt } from './interrupt';
import { CliError } from './io';
import { singleFileMountAdvice } from './mounts';

export interface AtomicWriteOptions {
  /** Permission bits of the new file (the old file's, or 0600 for a new users file: it holds secrets). */
  mode: number;
  /** The old file's owner, kept when this process may (root editing another user's file). */
  owner?: { uid: number; gid: number };
  /** What the file held when it was read (null: it did not exist): anything else means someone edited it meanwhile. */
  expected: Buffer | null;
  /** Checked last, before the rename: false refuses the save (the lock was taken over meanwhile). */
  stillLocked?: () => boolean;
}

const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException | null)?.code ?? String(error);

async function currentBytes(file: string): Promise<Buffer | null> {
  try {
    if (!(await lstat(file)).isFile()) return Buffer.alloc(0);
    return await readFile(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  // Makes the rename itself durable; some file systems cannot fsync a directory, which is fine.
  const handle = await open(directory, constants.O_RDONLY).catch(() => null);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}

/**
 * Replaces `file` with `text` all at once: a temporary file in the same directory (same
 * mode and owner), flushed to disk, then renamed over the original. A reader — the server's
 * watcher — sees the old file or the new one, never half of one. On any failure the
 * temporary file is removed and the original is left as it was.
 */
export async function writeFileAtomically(file: string, text: string, options: AtomicWriteOptions): Promise<void> {
  const directory = path.dirname(file);
  const temporary = path.join(directory, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  // Registered before the file exists, so an interrupt at any point after removes it.
  const forget = onInterrupt(() => unlinkSync(temporary));
  let handle: FileHandle;
  try {
    handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, options.mode);
  } catch (error) {
    forget();
    throw new CliError(
      `Cannot create a temporary file in ${directory} (${errorCode(error)}): an atomic save needs write access to the folder of the users file. Nothing was changed.`,
    );
  }
  try {
    try {
      await handle.chmod(options.mode); // the umask narrowed the mode given to open()
      const { owner } = options;
      const stats = await handle.stat();
      if (owner && (owner.uid !== stats.uid || owner.gid !== stats.gid)) {
        await handle.chown(owner.uid, owner.gid).catch(() => undefined);
      }
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    const now = await currentBytes(file);
    const unchanged = options.expected === null ? now === null : now?.equals(options.expected) === true;
    if (!unchanged) {
      throw new CliError(`${file} changed while this command was editing it. Nothing was changed; run the command again.`);
    }
    if (options.stillLocked && !options.stillLocked()) {
      throw new CliError(`This command stalled so long that another took over the lock of ${file}. Nothing was changed; run the command again.`);
    }
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    if (error instanceof CliError) throw error;
    // A file bind-mounted on its own (docker -v ./users.yml:/config/users.yml) cannot be renamed over.
    if (errorCode(error) === 'EBUSY') throw new CliError(`Could not save ${file} (EBUSY). ${singleFileMountAdvice(file)} Nothing was changed.`);
    throw new CliError(`Could not save ${file} (${errorCode(error)}). Nothing was changed.`);
  } finally {
    forget();
  }
  await syncDirectory(directory);
}
