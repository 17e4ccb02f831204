/**
 * A reload that never stalls the requests being served (SPEC §5): a worker thread decodes,
 * parses, validates and digests the changed file (reload-worker.ts); this thread takes its
 * users in a batch at a time and indexes them in slices of a few milliseconds, yielding to
 * the event loop between slices. The index is used only once complete, so a request never
 * sees half of a reload. Building 100,000 users' maps here takes ~150-200 ms of this thread
 * in all, which no single slice may hold.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { type Problem, UsersFileError } from '../errors';
import { loadUsers } from './load';
import { readUsersFileText } from './read-file';
import { IndexBuilder, UsersIndex } from './users-index';
import type { UsersBatch, WorkerInput, WorkerOutcome } from './worker-protocol';

/** The longest this thread indexes before it lets the event loop run. */
const SLICE_MS = 4;

export interface LoadedIndex {
  index: UsersIndex;
  warnings: readonly Problem[];
}

/** The worker could not do the load (it did not start, or died): the caller loads here instead. */
class WorkerUnavailable extends Error {}

/** The load stopped because the source was closed. */
export class LoadClosed extends Error {}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The worker's entry, beside this module: compiled (dist/*.js), it is run as it is; from the
 * TypeScript sources (specs under ts-jest, the example app under tsx) the worker compiles it
 * with tsx, a dev dependency, as the sources run only where those are installed.
 */
function startWorker(): Worker {
  const extension = path.extname(__filename);
  const entry = path.join(__dirname, `reload-worker${extension}`);
  if (extension !== '.ts') return new Worker(entry);
  const tsx = require.resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`, { eval: true });
}

/** How long a load started ahead of its confirmation waits for it before it is dropped. */
const AHEAD_IDLE_MS = 10_000;

/**
 * One load in a worker: the file's bytes sent to it (transferred, not copied: copying 20 MB
 * into a worker held this thread for ~60 ms), its answer to come, its users on a port of their own.
 */
class WorkerJob {
  readonly outcome: Promise<WorkerOutcome>;
  readonly port: MessagePort;
  private readonly worker: Worker;

  /** Throws if no worker can be made. */
  constructor(
    readonly digest: string,
    bytes: Uint8Array,
    file: string,
  ) {
    const worker = startWorker();
    this.worker = worker;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.outcome = new Promise<WorkerOutcome>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', (error) => reject(new WorkerUnavailable(`the reload worker failed (${error.message})`)));
      // After its answer, an exit changes nothing: its batches stay on the port.
      worker.once('exit', (code) => reject(new WorkerUnavailable(`the reload worker exited (code ${code}) before it answered`)));
    });
    this.outcome.catch(() => undefined); // a job started ahead and never taken must not reject unhandled
    const own = ownBuffer(bytes);
    worker.postMessage({ file, bytes: own, users: port2 } satisfies WorkerInput, [port2, own.buffer as ArrayBuffer]);
  }

  /** Whether the worker holds the process open: for a `reload()` someone awaits, not for the watcher. */
  hold(keepAlive: boolean): void {
    if (keepAlive) this.worker.ref();
    else this.worker.unref();
  }

  end(): void {
    void this.worker.terminate();
    this.port.close();
  }
}

/** Indexes one batch of the worker's (worker-protocol.ts). */
function addBatch(builder: IndexBuilder, batch: UsersBatch): void {
  const lists = batch.lists.map((list) => builder.share(list));
  for (let i = 0; i < batch.usernames.length; i++) {
    const team = batch.teams[i] as number;
    builder.addUser(
      batch.usernames[i] as string,
      batch.emails[i] ?? null,
      batch.fullNames[i] ?? null,
      batch.disabled[i] === 1,
      team === -1 ? null : (lists[team] as readonly string[]),
      batch.hashedPasswords[i] as string,
      batch.apiKeys[i] as string,
      batch.digests[i] as string,
    );
  }
}

/**
 * Bytes whose ArrayBuffer is theirs alone, so that handing it to the worker detaches nothing
 * else: a big file's read has one of its own, a small one may share Node's Buffer pool.
 */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/** Takes the worker's batches off the port and indexes them, a slice at a time. */
async function indexInSlices(port: MessagePort, batches: number, stopped: () => boolean): Promise<IndexBuilder> {
  const builder = new IndexBuilder();
  let left = batches;
  while (left > 0 && !stopped()) {
    const sliceEnds = performance.now() + SLICE_MS;
    do {
      const received = receiveMessageOnPort(port);
      if (!received) throw new WorkerUnavailable(`the reload worker sent ${batches - left} of ${batches} batches`);
      addBatch(builder, received.message as UsersBatch);
      left -= 1;
    } while (left > 0 && performance.now() < sliceEnds);
    if (left > 0) await yieldToEventLoop();
  }
  return builder;
}

/** Loads changed users files off the event loop, one at a time; falls back to loading here should no worker run. */
export class OffThreadLoader {
  private job: WorkerJob | undefined;
  private ahead: WorkerJob | undefined;
  private aheadTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private warned = false;

  /** `onFallback`: told (once) when a load had to run on this thread, and why. */
  constructor(private readonly onFallback: (reason: string) => void) {}

  /**
   * The index of the file's bytes (of content `digest`), or a UsersFileError with every problem.
   * The bytes are handed to the worker (transferred): the caller must not use them after.
   * `keepAlive`: the worker holds the process open (a `reload()` someone awaits), else not (the watcher).
   */
  async load(bytes: Uint8Array, digest: string, file: string, keepAlive: boolean): Promise<LoadedIndex> {
    try {
      return await this.inWorker(bytes, digest, file, keepAlive);
    } catch (error) {
      if (this.closed) throw new LoadClosed('closed');
      if (!(error instanceof WorkerUnavailable)) throw error;
      if (!this.warned) {
        this.warned = true;
        this.onFallback(error.message);
      }
    }
    // What every reload did before the worker: the same loader, blocking this thread meanwhile.
    // The bytes went to the worker: the file is read again (should it have changed since, the
    // watcher's next polls see that and load it once more).
    const loaded = loadUsers(await readUsersFileText(file), file);
    return { index: UsersIndex.adopting(loaded.records, file), warnings: loaded.warnings };
  }

  /**
   * Starts the load of a change the watcher has seen once and puts in force only if its next
   * poll reads the same (`load` with the same digest then takes it): the worker's start, the
   * parse and the checks overlap that wait instead of adding to the time until the change is in
   * force. Nothing of it is reported or used unless it is taken; it never holds the process
   * open, and is dropped if not taken within AHEAD_IDLE_MS or when another change comes.
   */
  prepare(bytes: Uint8Array, digest: string, file: string): void {
    if (this.closed || this.ahead?.digest === digest) return;
    this.dropAhead();
    try {
      this.ahead = new WorkerJob(digest, bytes, file);
    } catch {
      return; // the load starts one itself, and says why it could not
    }
    this.ahead.hold(false);
    this.aheadTimer = setTimeout(() => this.dropAhead(), AHEAD_IDLE_MS);
    this.aheadTimer.unref();
  }

  /** Ends a load in progress (it rejects with LoadClosed) and every load after. */
  close(): void {
    this.closed = true;
    this.job?.end();
    this.dropAhead();
  }

  private dropAhead(): void {
    clearTimeout(this.aheadTimer);
    this.ahead?.end();
    this.ahead = undefined;
  }

  /** The load started ahead for this content, if there is one; any other is dropped. */
  private takeAhead(digest: string): WorkerJob | undefined {
    const ahead = this.ahead?.digest === digest ? this.ahead : undefined;
    if (ahead) {
      clearTimeout(this.aheadTimer);
      this.ahead = undefined;
    } else this.dropAhead();
    return ahead;
  }

  private async inWorker(bytes: Uint8Array, digest: string, file: string, keepAlive: boolean): Promise<LoadedIndex> {
    if (this.closed) throw new LoadClosed('closed');
    let job: WorkerJob;
    try {
      job = this.takeAhead(digest) ?? new WorkerJob(digest, bytes, file);
    } catch (error) {
      throw new WorkerUnavailable(`the reload worker could not start (${(error as Error).message})`);
    }
    this.job = job;
    job.hold(keepAlive);
    try {
      const outcome = await job.outcome;
      if (outcome.kind === 'refused') throw new UsersFileError(file, outcome.problems);
      if (outcome.kind === 'failed') throw new WorkerUnavailable(`the reload worker failed (${outcome.message})`);
      const builder = await indexInSlices(job.port, outcome.batches, () => this.closed);
      if (this.closed) throw new LoadClosed('closed');
      return { index: builder.build(file), warnings: outcome.warnings };
    } finally {
      job.end();
      this.job = undefined;
    }
  }
}
