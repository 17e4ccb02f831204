/**
 * At most `max` jobs at once. Native bcrypt hashes on libuv's thread pool (4 threads): on a
 * 2-core machine a login storm would take every core and starve the event loop that serves
 * API-key requests.
 *
 * Two ways in. `run(job)` waits in order for a place: for callers with no line of their own
 * (hashPassword, verifyPassword, the password strategy mounted on an app's own route). A line
 * of its own (the login line) takes places with `tryTake()` only when it has a login to start,
 * gives each back with `give()`, and is woken by `onFree` when another holder gives one back:
 * then that line is the only queue its logins wait in.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly wakers = new Set<() => void>();

  constructor(readonly max: number) {}

  /** Whether a place is free now. */
  get hasFree(): boolean {
    return this.running < this.max;
  }

  /** Takes a place if one is free; the taker gives it back with `give()`. */
  tryTake(): boolean {
    if (!this.hasFree) return false;
    this.running += 1;
    return true;
  }

  /** Gives a place back: to the next job waiting in `run`, else to whichever line takes it first. */
  give(): void {
    const next = this.waiting.shift();
    if (next) {
      next();
      return;
    }
    this.running -= 1;
    for (const wake of this.wakers) wake();
  }

  /** Runs the job once a place is free, in order of arrival. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    // A place given by `give()` passes to the waiting job as it is: `running` stays.
    if (!this.tryTake()) await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await job();
    } finally {
      this.give();
    }
  }

  /** Calls `wake` each time a place is given back, until the returned function is called. */
  onFree(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }
}
