/**
 * The one outage policy of a shared store (Redis, or an app's own revocation list), for the
 * failure counters and the logouts alike: a question gets `timeoutMs` to be answered; after a
 * failure, memory answers alone and the store is asked again once per `retryMs`; the outage is
 * reported once, and its end once; when the store is back, whoever waits for it (the logouts it
 * missed) is told at once.
 */

/** Where a store's outages are reported; the plugin's logger fits. */
export interface FailureReport {
  info(message: string): void;
  error(message: string): void;
}

export interface StoreTimings {
  /** An answer later than this counts as a failure: a Redis client queues commands while disconnected. */
  timeoutMs: number;
  /** While the store fails, memory answers alone, and the store is asked again once per this many milliseconds. */
  retryMs: number;
}

// 500 ms: ample for a busy Redis on the network; a dead store then makes one request wait that
// long per second, not every request. 1 s: a store that is back is used again within a second.
export const STORE_TIMINGS: StoreTimings = { timeoutMs: 500, retryMs: 1000 };

/** What the report says, in the words of the store's kind. */
export interface OutageMessages {
  failed(reason: string): string;
  back(): string;
}

/** The promise's value, or a rejection once `ms` have passed; the timer never keeps the process alive. */
export function withinTime<T>(promise: PromiseLike<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class StoreHealth {
  private failing = false;
  private retryAt = 0;
  /** Failed questions so far: a caller that saw none during its question knows the store answered it. */
  failures = 0;
  private readonly whenBack: Array<() => void> = [];

  constructor(
    protected readonly report: FailureReport,
    private readonly messages: OutageMessages,
    readonly timings: StoreTimings = STORE_TIMINGS,
  ) {}

  /** Whether the store is failing now. */
  get isFailing(): boolean {
    return this.failing;
  }

  /** Whether to ask the store now: it is not failing, or a retry is due (this question is the retry). */
  mayAsk(): boolean {
    if (!this.failing) return true;
    if (Date.now() < this.retryAt) return false;
    this.retryAt = Date.now() + this.timings.retryMs;
    return true;
  }

  /** A question that failed or got no answer in time: memory answers alone until the next retry. */
  failed(error: unknown): void {
    this.failures += 1;
    this.retryAt = Date.now() + this.timings.retryMs;
    if (this.failing) return;
    this.failing = true;
    this.report.error(this.messages.failed(error instanceof Error ? error.message : String(error)));
  }

  /** A question answered: the end of an outage, reported once, and whoever waits for it is told. */
  answered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.report.info(this.messages.back());
    for (const listener of this.whenBack) listener();
  }

  /** Called each time the store is back after an outage. */
  onBack(listener: () => void): void {
    this.whenBack.push(listener);
  }
}
