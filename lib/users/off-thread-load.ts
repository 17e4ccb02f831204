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

/** A worker, and why it can no longer take a load if it failed or exited before it was given one. */
interface Started {
  worker: Worker;
  failure?: string;
}

function start(): Started {
  const started: Started = { worker: startWorker() };
  started.worker.once('error', (error) => {
    started.failure ??= `the reload worker failed (${error.message})`;
  });
  started.worker.once('exit', (code) => {
    started.failure ??= `the reload worker exited (code ${code}) before it answered`;
  });
  return started;
}

/** How long a worker started ahead waits for its load before it is ended. */
const SPARE_IDLE_MS = 10_000;

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
  private worker: Worker | undefined;
  private spare: Started | undefined;
  private spareTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private warned = false;

  /** `onFallback`: told (once) when a load had to run on this thread, and why. */
  constructor(private readonly onFallback: (reason: string) => void) {}

  /**
   * The index of the file's bytes, or a UsersFileError with every problem. The bytes are
   * handed to the worker (transferred), so the caller must not use them after. `keepAlive`: the worker holds the process open (a
   * `reload()` someone awaits), else not (the watcher).
   */
  async load(bytes: Uint8Array, file: string, keepAlive: boolean): Promise<LoadedIndex> {
    try {
      return await this.inWorker(bytes, file, keepAlive);
    } catch (error) {
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
    return { index: new UsersIndex(loaded.records, file), warnings: loaded.warnings };
  }

  /**
   * Starts a worker ahead of a load that is likely to come: the watcher has seen a change and
   * loads it at its next poll, so the worker's start (its thread, the loader's modules) overlaps
   * that wait instead of adding to the time until the change is in force. It never holds the
   * process open, and ends unless a load takes it within SPARE_IDLE_MS.
   */
  prepare(): void {
    if (this.spare || this.closed) return;
    try {
      this.spare = start();
    } catch {
      return; // the load starts one itself, and says why it could not
    }
    this.spare.worker.unref();
    this.spareTimer = setTimeout(() => void this.take()?.worker.terminate(), SPARE_IDLE_MS);
    this.spareTimer.unref();
  }

  /** Ends a load in progress (it rejects with LoadClosed) and every load after. */
  close(): void {
    this.closed = true;
    void this.worker?.terminate();
    void this.take()?.worker.terminate();
  }

  private take(): Started | undefined {
    const spare = this.spare;
    this.spare = undefined;
    clearTimeout(this.spareTimer);
    return spare;
  }

  private inWorker(bytes: Uint8Array, file: string, keepAlive: boolean): Promise<LoadedIndex> {
    if (this.closed) return Promise.reject(new LoadClosed('closed'));
    let started: Started;
    try {
      started = this.take() ?? start();
    } catch (error) {
      return Promise.reject(new WorkerUnavailable(`the reload worker could not start (${(error as Error).message})`));
    }
    const { worker } = started;
    if (keepAlive) worker.ref();
    else worker.unref();
    this.worker = worker;
    const { port1, port2 } = new MessageChannel();
    return new Promise<LoadedIndex>((resolve, reject) => {
      let answered = false;
      const end = (settle: () => void) => {
        if (answered) return;
        answered = true;
        this.worker = undefined;
        void worker.terminate();
        port1.close();
        settle();
      };
      let told = false;
      worker.once('message', (outcome: WorkerOutcome) => {
        told = true;
        if (outcome.kind === 'refused') return end(() => reject(new UsersFileError(file, outcome.problems)));
        if (outcome.kind === 'failed') return end(() => reject(new WorkerUnavailable(`the reload worker failed (${outcome.message})`)));
        indexInSlices(port1, outcome.batches, () => answered).then(
          (builder) => end(() => resolve({ index: builder.build(file), warnings: outcome.warnings })),
          (error: unknown) => end(() => reject(error)),
        );
      });
      worker.once('error', (error) => end(() => reject(new WorkerUnavailable(`the reload worker failed (${error.message})`))));
      worker.once('exit', (code) => {
        // Its batches stay on the port after it exits: only an exit before its last message, or close(), ends the load.
        if (this.closed) end(() => reject(new LoadClosed('closed')));
        else if (!told) end(() => reject(new WorkerUnavailable(`the reload worker exited (code ${code}) before it answered`)));
      });
      if (started.failure) return end(() => reject(new WorkerUnavailable(started.failure as string)));
      // Transferred, not copied: copying 20 MB into the worker held this thread for ~60 ms.
      const own = ownBuffer(bytes);
      worker.postMessage({ file, bytes: own, users: port2 } satisfies WorkerInput, [port2, own.buffer as ArrayBuffer]);
    });
  }
}
