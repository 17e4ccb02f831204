import { EventEmitter } from 'node:events';
import { sha256Bytes } from '../util/digest';
import { ConfigError, UsersFileError, type Problem } from '../errors';
import { checkUsers, loadUsers, type LoadedUsers } from './load';
import { LoadClosed, OffThreadLoader } from './off-thread-load';
import { decodeUsersFile, type FileRead, isMissingFileError, MISSING_FILE, readForReload, readUsersFileBytesSync, usersFileFingerprint } from './read-file';
import { formatWarnings } from './warnings';
import { UsersIndex } from './users-index';
import { USERS_OPTION, type UsersSourceEvents, type UsersSourceOptions } from './users-source-options';

export { USERS_OPTION, type UsersSourceEvents, type UsersSourceOptions };

/** What the last read put in force or refused: its digest, and the refusal if it was refused. */
interface Outcome {
  digest: string;
  error?: Error;
}

/**
 * The users in force: loaded at start, reloaded when the file changes. Each version is an
 * immutable UsersIndex swapped in whole, so a request never sees half of a reload. Start-up
 * loads on this thread and throws at once; reloads load off it (off-thread-load.ts), one at a time.
 */
export class UsersSource extends EventEmitter<UsersSourceEvents> {
  private index: UsersIndex;
  private versionWarnings: readonly Problem[];
  private outcome: Outcome;
  private pending: Promise<UsersIndex> | undefined;
  /** The last load in progress: the next waits for it, so an older read never lands after a newer one. */
  private applying: Promise<unknown> = Promise.resolve();
  private readonly loader: OffThreadLoader;
  private queued: Promise<UsersIndex> | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;
  /** The fingerprint at the last poll that read the file. */
  private lastFingerprint: string | undefined;
  /** The digest the last poll read: a change goes in force once the next poll reads the same. */
  private candidate: string;
  /** The content read twice is in force (or refused), and nothing changed since: polls only stat. */
  private settled = false;

  constructor(private readonly options: UsersSourceOptions) {
    super();
    this.loader = new OffThreadLoader((reason) =>
      options.logger?.warn(`Reloads of ${options.file} run on the main thread, stalling requests while a big file loads: ${reason}.`),
    );
    if (options.entries) {
      const loaded = checkUsers(options.entries, USERS_OPTION, USERS_OPTION);
      this.index = UsersIndex.adopting(loaded.records, USERS_OPTION);
      this.versionWarnings = loaded.warnings;
      this.outcome = { digest: USERS_OPTION };
      this.candidate = this.outcome.digest;
      this.logWarnings();
      return; // nothing to watch or reload
    }
    let bytes: Buffer | undefined;
    try {
      bytes = readUsersFileBytesSync(options.file);
    } catch (error) {
      if (!isMissingFileError(error)) throw error;
      if (options.explicit) {
        // Falling back to the default user because of a typo in a path would open the instance.
        const namedBy = options.fileNamedBy ?? 'ARGILLA_LOCAL_AUTH_USERS_DB_FILE (or the usersFile option)';
        throw new UsersFileError(options.file, [{ where: options.file, message: `does not exist. Fix the path in ${namedBy}, or create the file.` }]);
      }
    }
    const loaded: LoadedUsers = bytes === undefined ? { records: [options.defaultUser], warnings: [] } : loadUsers(decodeUsersFile(bytes), options.file);
    // The default user is the options' object: copied. A load's records are its own.
    this.index = bytes === undefined ? new UsersIndex(loaded.records, 'default user') : UsersIndex.adopting(loaded.records, options.file);
    this.versionWarnings = loaded.warnings;
    this.outcome = { digest: bytes === undefined ? MISSING_FILE : sha256Bytes(bytes) };
    this.candidate = this.outcome.digest;
    this.logWarnings();
    if (this.usingDefaultUser) for (const warning of options.defaultUserWarnings ?? []) options.logger?.warn(warning);

    if (options.watch) {
      // Polling the path (not the inode) sees in-place writes and atomic rename-over saves alike.
      this.timer = setInterval(() => void this.poll(), options.watchIntervalMs);
      this.timer.unref();
    }
  }

  get current(): UsersIndex {
    return this.index;
  }

  /** True while no users file exists and the default user is in force. */
  get usingDefaultUser(): boolean {
    return this.index.source === 'default user';
  }

  /** The warnings of the version in force (empty for the default user). */
  get warnings(): readonly Problem[] {
    return this.versionWarnings;
  }

  /**
   * Reads the file again and puts it in force if it is valid. Rejects, and keeps the last
   * good users, if it is not. A call during a read waits for one more read after it (shared
   * by every such call), so the last save always wins. Unlike the watcher, it does not wait
   * for a second read: whoever calls it says the file is ready.
   */
  reload(): Promise<UsersIndex> {
    if (this.options.entries) {
      const message = 'reads the users file again, and this instance has none: its users are the users option. Build a new workspaceAuth({ users }) for other users.';
      return Promise.reject(new ConfigError([{ where: 'reload()', message }]));
    }
    if (this.queued) return this.queued;
    if (!this.pending) {
      this.pending = this.read()
        .then((read) => {
          this.candidate = read.digest;
          if (read.digest !== MISSING_FILE) this.endDefaultUser();
          return this.apply(read, true);
        })
        .finally(() => {
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

  /**
   * One check of the file, as the watcher makes at every interval. A change is put in force
   * only when two consecutive checks read the same content: a file still being written
   * (`cat > .users.yml` over a slow link, a big file) differs from one check to the next,
   * and half of it may parse, with users cut before their `workspaces:` line as super-users.
   */
  async poll(): Promise<void> {
    if (this.polling || this.closed) return; // a slow read of a big file must not pile up polls
    this.polling = true;
    try {
      const fingerprint = await usersFileFingerprint(this.options.file);
      if (fingerprint !== MISSING_FILE) this.endDefaultUser();
      if (this.settled && fingerprint === this.lastFingerprint) return;
      this.lastFingerprint = fingerprint;
      const read = await this.read();
      if (read.digest !== this.candidate) {
        this.candidate = read.digest;
        this.settled = false;
        // Loaded ahead, and put in force at the next poll if that reads the same.
        if (read.bytes !== undefined && read.digest !== this.outcome.digest) this.loader.prepare(read.bytes, read.digest, this.options.file);
        return;
      }
      if (read.digest === this.outcome.digest) {
        this.settled = true;
        return;
      }
      if (this.closed) return;
      // File times are as coarse as a kernel tick: a save within one tick of this read can leave
      // inode, size and time as they are. Staying unsettled makes the next poll read once more.
      await this.apply(read, false).catch(() => undefined); // refusals are reported through 'reload-error'
    } finally {
      this.polling = false;
    }
  }

  /**
   * From the moment anything is at the path, the default user is never in force again (SPEC
   * §2): not while the file is still being written, nor while it cannot be read or is invalid.
   * Until a version loads, no one gets in.
   */
  private endDefaultUser(): void {
    if (!this.usingDefaultUser) return;
    this.index = UsersIndex.unavailable(this.options.file);
    this.versionWarnings = [];
    // No content read so far matches this, so the next read is loaded (or refused, and reported).
    this.outcome = { digest: 'default user ended' };
    this.options.logger?.warn(`A users file appeared at ${this.options.file}: the default user is no longer in force, and no one gets in until the file loads.`);
  }

  private read(): Promise<FileRead> {
    return readForReload(this.options.file);
  }

  /** Puts one read in force, or refuses it, after any load in progress; the same content as last time gives the same outcome, reported once. */
  private apply(read: FileRead, keepAlive: boolean): Promise<UsersIndex> {
    const applied = this.applying.then(() => this.applyNow(read, keepAlive));
    this.applying = applied.catch(() => undefined);
    return applied;
  }

  private async applyNow(read: FileRead, keepAlive: boolean): Promise<UsersIndex> {
    const file = this.options.file;
    if (read.digest === this.outcome.digest) {
      if (this.outcome.error) throw this.outcome.error;
      return this.index;
    }
    if (read.bytes === undefined) {
      const inForce = this.index.unavailable ? 'No one gets in until a valid users file is back.' : 'The last good users stay in force until the file is back.';
      const error = read.error ?? new UsersFileError(file, [{ where: file, message: `was deleted or moved. ${inForce}` }]);
      return this.refuse(read.digest, error);
    }
    let loaded: { index: UsersIndex; warnings: readonly Problem[] };
    try {
      loaded = await this.loader.load(read.bytes, read.digest, file, keepAlive);
    } catch (error) {
      if (error instanceof LoadClosed) return this.index;
      return this.refuse(read.digest, error);
    }
    if (this.closed) return this.index;
    this.outcome = { digest: read.digest };
    this.index = loaded.index;
    this.versionWarnings = loaded.warnings;
    this.logWarnings();
    this.emit('reload', this.index, loaded.warnings);
    return this.index;
  }

  /** Reports a refusal and remembers it for this content; the users in force stay. */
  private refuse(digest: string, caught: unknown): never {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    this.outcome = { digest, error };
    this.emit('reload-error', error);
    throw error;
  }

  private logWarnings(): void {
    if (this.versionWarnings.length > 0) this.options.logger?.warn(formatWarnings(this.index.source, this.versionWarnings, this.options.entries ? USERS_OPTION : undefined));
  }

  /** Stops watching, so the process can exit. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.loader.close();
  }
}
