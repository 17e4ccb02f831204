import { closeSync, constants, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { onInterrupt } from './interrupt';
import { CliError } from './io';

/**
 * One edit of a users file at a time, across processes, hosts and containers sharing the folder:
 * a lock file created with O_EXCL next to the users file (`users.yml.lock`). Hand-written rather
 * than proper-lockfile (mkdir locks, the same stale rule) because that would add four packages to
 * the plugin's dependencies for some 100 lines, and because it cannot tell a crashed holder on
 * this host at once (its pid is gone) from a live one.
 *
 * A lock is stale, and taken over, when its holder's process is gone (same host), or when it
 * has not been refreshed for STALE_AFTER_MS: the holder touches it every REFRESH_EVERY_MS, so
 * only a holder on another host or container that died, or hung that long, leaves it so.
 */
export const STALE_AFTER_MS = 10_000;
const REFRESH_EVERY_MS = 2_000;
/** How long a command waits for another edit to finish: a 100,000-user edit holds the lock about 2 s. */
export const WAIT_AT_MOST_MS = 30_000;

interface Holder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface FileLock {
  readonly path: string;
  /** False once someone took the lock over (after this process stalled past STALE_AFTER_MS). */
  stillHeld(): boolean;
  release(): void;
}

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // it exists, owned by someone else
  }
}

async function readHolder(lockPath: string): Promise<Partial<Holder>> {
  try {
    return JSON.parse(await readFile(lockPath, 'utf8')) as Partial<Holder>;
  } catch {
    return {}; // being written, or not ours: judged by its age alone
  }
}

/**
 * Creates a file with O_EXCL: true if this call created it, false if it was there. Synchronous,
 * so no signal handler runs between the creation and the caller's registering its cleanup.
 */
function createExclusively(file: string, content: string): boolean {
  let descriptor: number;
  try {
    descriptor = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw new CliError(
      `Cannot create the lock file ${file} (${errorCode(error) ?? String(error)}): an edit needs write access to the folder of the users file. Nothing was changed.`,
    );
  }
  try {
    writeSync(descriptor, content);
  } finally {
    closeSync(descriptor);
  }
  return true;
}

/**
 * Removes a stale lock unless it changed since it was judged stale. The removal is itself
 * guarded by a short-lived `.break` file, so two waiters cannot both remove a stale lock and
 * then one of them the other's fresh lock.
 */
async function breakStaleLock(lockPath: string, judged: { ino: number; mtimeMs: number }): Promise<void> {
  const breaker = `${lockPath}.break`;
  if (!createExclusively(breaker, String(process.pid))) {
    const age = await stat(breaker).then((stats) => Date.now() - stats.mtimeMs, () => 0);
    if (age > STALE_AFTER_MS) await unlink(breaker).catch(() => undefined); // its breaker died mid-way
    return;
  }
  try {
    const now = await stat(lockPath).catch(() => null);
    if (now && now.ino === judged.ino && now.mtimeMs === judged.mtimeMs) await unlink(lockPath).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

function describeHolder(holder: Partial<Holder>): string {
  const who = holder.pid ? `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}` : 'another process';
  return `${who}${holder.command ? ` (${holder.command})` : ''}${holder.since ? ` since ${holder.since}` : ''}`;
}

/**
 * Takes the lock of `file` (its real path), waiting for another edit to finish. `command` is
 * shown to whoever waits for this one. The lock is released on release(), and by the bin's
 * interrupt handler on Ctrl-C or SIGTERM.
 */
export async function lockFile(file: string, command: string, waitMs = WAIT_AT_MOST_MS): Promise<FileLock> {
  const lockPath = `${file}.lock`;
  const me: Holder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  const deadline = Date.now() + waitMs;
  let pause = 10;
  while (!createExclusively(lockPath, `${JSON.stringify(me)}\n`)) {
    const stats = await stat(lockPath).catch(() => null);
    if (!stats) continue; // released meanwhile
    const holder = await readHolder(lockPath);
    const gone = holder.host === me.host && typeof holder.pid === 'number' && holder.pid !== process.pid && !isAlive(holder.pid);
    if (gone || Date.now() - stats.mtimeMs > STALE_AFTER_MS) {
      await breakStaleLock(lockPath, stats);
      continue;
    }
    if (Date.now() > deadline) {
      throw new CliError(
        `${file} is being edited by ${describeHolder(holder)}, for more than ${waitMs / 1000} s now. Nothing was changed. ` +
          `Run the command again once that edit is done; if no such process runs, remove ${lockPath}.`,
      );
    }
    await sleep(pause + Math.random() * pause);
    pause = Math.min(pause * 2, 100);
  }
  // Synchronously after the creation: an interrupt from here on removes the lock.
  const { ino } = statSync(lockPath);
  const ours = () => {
    try {
      return statSync(lockPath).ino === ino;
    } catch {
      return false;
    }
  };
  let refresh: NodeJS.Timeout | undefined;
  const releaseSync = () => {
    clearInterval(refresh);
    if (ours()) {
      try {
        unlinkSync(lockPath);
      } catch {
        // gone already
      }
    }
  };
  const forget = onInterrupt(releaseSync);
  refresh = setInterval(() => {
    const now = new Date();
    if (ours()) utimes(lockPath, now, now).catch(() => undefined);
  }, REFRESH_EVERY_MS);
  refresh.unref();
  return {
    path: lockPath,
    stillHeld: ours,
    release() {
      forget();
      releaseSync();
    },
  };
}
