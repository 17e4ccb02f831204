import { EventEmitter } from 'node:events';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { UsersFileError } from './errors';
import type { UserRecord } from './types';
import { isMissingFileError, readUsersFile, readUsersFileSync } from './users-file';
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

/**
 * The users in force: loaded at start, reloaded when the file changes. Each version is an
 * immutable UsersIndex swapped in whole, so a request never sees half of a reload.
 */
export class UsersSource extends EventEmitter<UsersSourceEvents> {
  private index: UsersIndex;
  private pending: Promise<UsersIndex> | undefined;
  private queued: Promise<UsersIndex> | undefined;
  private readonly onStat: ((current: Stats, previous: Stats) => void) | undefined;

  /** True when no users file exists and the default user is in force. */
  readonly usingDefaultUser: boolean;

  constructor(private readonly options: UsersSourceOptions) {
    super();
    let records: UserRecord[];
    try {
      records = readUsersFileSync(options.file);
      this.usingDefaultUser = false;
    } catch (error) {
      if (!isMissingFileError(error)) throw error;
      if (options.explicit) {
        // Falling back to the default user because of a typo in a path would open the instance.
        throw new UsersFileError(options.file, [
          { where: options.file, message: 'does not exist. Fix the path in ARGILLA_LOCAL_AUTH_USERS_DB_FILE (or the usersFile option), or create the file.' },
        ]);
      }
      records = [options.defaultUser];
      this.usingDefaultUser = true;
    }
    this.index = new UsersIndex(records, this.usingDefaultUser ? 'default user' : options.file);

    if (options.watch) {
      // Polling the path (not the inode) sees in-place writes and atomic rename-over saves alike.
      this.onStat = (current, previous) => {
        if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino || current.size !== previous.size) {
          this.reload().catch(() => undefined); // refusals are reported through 'reload-error'
        }
      };
      watchFile(options.file, { interval: options.watchIntervalMs, persistent: false }, this.onStat);
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

  private async readAndSwap(): Promise<UsersIndex> {
    try {
      const records = await readUsersFile(this.options.file);
      this.index = new UsersIndex(records, this.options.file);
      this.emit('reload', this.index);
      return this.index;
    } catch (caught) {
      const error = isMissingFileError(caught)
        ? new UsersFileError(this.options.file, [
            { where: this.options.file, message: 'was deleted or moved. The last good users stay in force until the file is back.' },
          ])
        : caught instanceof Error
          ? caught
          : new Error(String(caught));
      this.emit('reload-error', error);
      throw error;
    }
  }

  /** Stops watching, so the process can exit. */
  close(): void {
    if (this.onStat) unwatchFile(this.options.file, this.onStat);
  }
}
