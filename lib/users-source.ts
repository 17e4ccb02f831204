import { EventEmitter } from 'node:events';
import { sha256 } from './digest';
import { UsersFileError } from './errors';
import type { UserRecord } from './types';
import {
  isMissingFileError,
  MISSING_FILE,
  parseUsersFile,
  readUsersFileText,
  readUsersFileTextSync,
  usersFileFingerprint,
} from './users-file';
import { UsersIndex } from './users-index';

export interface UsersSourceOptions {
  file: string;
  /** Named explicitly: then it must exist. Only the implicit default may be missing. */
  explicit: boolean;
  /** The user of an instance whose implicit users file does not exist. */
  defaultUser: UserRecord;
  /** Watch the file and reload on change. */
  watch: boolean;
  /** How often the file is checked, in milliseconds. */
  watchIntervalMs: number;
}

export interface UsersSourceEvents {
  /** A new version of the file is in force. */
  reload: [users: UsersIndex];
  /** A changed file was refused; the last good users stay in force. */
  'reload-error': [error: Error];
}

/** What the last read of the file found: its content (or MISSING_FILE), and the refusal if it was refused. */
interface LastRead {
  digest: string;
  error?: Error;
}

/**
 * The users in force: loaded at start, reloaded when the file changes. Each version is an
 * immutable UsersIndex swapped in whole, so a request never sees half of a reload.
 */
export class UsersSource extends EventEmitter<UsersSourceEvents> {
  private index: UsersIndex;
  private lastRead: LastRead;
  private pending: Promise<UsersIndex> | undefined;
  private queued: Promise<UsersIndex> | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private lastFingerprint: string | undefined;
  private recheckContent = false;
  private polling = false;

  /** True when no users file exists and the default user is in force. */
  readonly usingDefaultUser: boolean;

  constructor(private readonly options: UsersSourceOptions) {
    super();
    let text: string | undefined;
    try {
      text = readUsersFileTextSync(options.file);
    } catch (error) {
      if (!isMissingFileError(error)) throw error;
      if (options.explicit) {
        // Falling back to the default user because of a typo in a path would open the instance.
        throw new UsersFileError(options.file, [
          { where: options.file, message: 'does not exist. Fix the path in ARGILLA_LOCAL_AUTH_USERS_DB_FILE (or the usersFile option), or create the file.' },
        ]);
      }
    }
    this.usingDefaultUser = text === undefined;
    this.index =
      text === undefined ? new UsersIndex([options.defaultUser], 'default user') : new UsersIndex(parseUsersFile(text, options.file), options.file);
    this.lastRead = { digest: text === undefined ? MISSING_FILE : sha256(text) };

    if (options.watch) {
      // Polling the path (not the inode) sees in-place writes and atomic rename-over saves alike.
      this.timer = setInterval(() => void this.poll(), options.watchIntervalMs);
      this.timer.unref();
    }
  }

  get current(): UsersIndex {
    return this.index;
  }

  /**
   * Reads the file again and puts it in force if it is valid. Rejects, and keeps the last
   * good users, if it is not. A call during a read waits for one more read after it (shared
   * by every such call), so the last save always wins.
   */
  reload(): Promise<UsersIndex> {
    if (this.queued) return this.queued;
    if (!this.pending) {
      this.pending = this.readAndSwap().finally(() => {
        this.pending = undefined;
      });
      return this.pending;
    }
    this.queued = this.pending
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.reload();
      });
    return this.queued;
  }

  private async poll(): Promise<void> {
    if (this.polling) return; // a slow read of a big file must not pile up polls
    this.polling = true;
    try {
      const fingerprint = await usersFileFingerprint(this.options.file);
      const changed = fingerprint !== this.lastFingerprint;
      if (!changed && !this.recheckContent) return;
      this.lastFingerprint = fingerprint;
      // File times are as coarse as a kernel tick: a save within one tick of the version just
      // read can leave inode, size and time as they were (an atomic save may even reuse the
      // freed inode). So the poll after a read compares the content once more.
      this.recheckContent = changed && fingerprint !== MISSING_FILE;
      await this.reload().catch(() => undefined); // refusals are reported through 'reload-error'
    } finally {
      this.polling = false;
    }
  }

  /** One read: the same content as the last read gives the same outcome, reported only once. */
  private async readAndSwap(): Promise<UsersIndex> {
    const file = this.options.file;
    const before = await usersFileFingerprint(file);
    let text: string | undefined;
    try {
      text = await readUsersFileText(file);
    } catch (error) {
      if (!isMissingFileError(error)) return this.refuse(`unreadable:${before}`, error);
    }
    const digest = text === undefined ? MISSING_FILE : sha256(text);
    if (digest === this.lastRead.digest) {
      if (this.lastRead.error) throw this.lastRead.error;
      return this.index;
    }
    if (text === undefined) {
      return this.refuse(MISSING_FILE, new UsersFileError(file, [
        { where: file, message: 'was deleted or moved. The last good users stay in force until the file is back.' },
      ]));
    }
    let records: UserRecord[];
    try {
      records = parseUsersFile(text, file);
    } catch (error) {
      // A file written in place can be read half-written: if it changed during the read, the
      // next poll reads it whole, and this refusal is neither reported nor remembered.
      if ((await usersFileFingerprint(file)) !== before) throw error;
      return this.refuse(digest, error);
    }
    this.lastRead = { digest };
    this.index = new UsersIndex(records, file);
    this.emit('reload', this.index);
    return this.index;
  }

  /** Reports a refusal and remembers it for this content; the users in force stay. */
  private refuse(digest: string, caught: unknown): never {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    this.emit('reload-error', error);
    this.lastRead = { digest, error };
    throw error;
  }

  /** Stops watching, so the process can exit. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
