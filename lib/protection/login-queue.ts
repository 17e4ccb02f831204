/**
 * The line of logins waiting for a password check. bcrypt is the one expensive step of a login
 * (about 60 ms of a core at cost 10, doubling per step), so the line is bounded by the wait it
 * would mean, not by a count: a login that would not be answered within `maxWaitMs` is turned
 * away at once (503 with Retry-After) instead of holding a connection and memory for minutes. One client
 * may hold only `clientShare` of the places, and turns go round the clients in order, so one
 * client's flood neither fills the line nor delays another client's login by more than a turn.
 */

export interface LoginQueueSettings {
  /** Password checks at once. */
  concurrency: number;
  /** The longest a login may take, its wait and its own check, in milliseconds. */
  maxWaitMs: number;
  /** The share of the places (running and waiting) one client may hold, above 0 and at most 1. */
  clientShare: number;
  /** How long one check takes before any has been timed here, in milliseconds. */
  initialJobMs: () => number;
}

/** How a wait ends: the login's turn, released before it (its client has gone), or too late to be answered in time. */
export type TurnOutcome = 'now' | 'cancelled' | 'late';

/** A login's place in line. */
export interface Ticket {
  readonly turn: Promise<TurnOutcome>;
  /** Ends the turn (or the wait): the next login goes. Safe to call more than once. */
  release(): void;
}

export type Admission = { ticket: Ticket } | { busyForMs: number };

interface Waiter {
  client: string;
  enqueuedAt: number;
  /** False while it is being admitted: a login that starts at once is never late, however long a check takes. */
  mayBeLate: boolean;
  start: () => void;
  /** Ends the wait without a turn. */
  end: (outcome: 'cancelled' | 'late') => void;
}

// The weight of the latest timing in the running estimate: recent enough to follow a change of
// load or hash cost within a few logins, smooth enough that one slow check does not shut the line.
const SMOOTHING = 0.3;

export class LoginQueue {
  private running = 0;
  private waitingCount = 0;
  /** Waiting logins by client; the Map's order is the order of turns (a served client goes last). */
  private readonly waiting = new Map<string, Waiter[]>();
  /** Places (running and waiting) held per client. */
  private readonly held = new Map<string, number>();
  private observedJobMs: number | undefined;

  constructor(private readonly options: Readonly<LoginQueueSettings>) {}

  /** The time one password check takes here: timed on the last logins, else the initial estimate. */
  jobMs(): number {
    return this.observedJobMs ?? this.options.initialJobMs();
  }

  /** How many may wait: as many as the concurrent checks answer within `maxWaitMs`, the ones running included. */
  private waitingCapacity(): number {
    return Math.max(0, Math.floor((this.options.maxWaitMs * this.options.concurrency) / this.jobMs()) - this.options.concurrency);
  }

  /** Time until the line has room again, for Retry-After. */
  busyForMs(): number {
    return Math.max(1, Math.ceil(this.waitingCount / this.options.concurrency)) * this.jobMs();
  }

  /** A place in line for a login of this client, or how long the line is busy. */
  admit(client: string): Admission {
    const capacity = this.waitingCapacity();
    const share = Math.max(1, Math.floor(this.options.clientShare * (this.options.concurrency + capacity)));
    const held = this.held.get(client) ?? 0;
    const free = this.running < this.options.concurrency && this.waitingCount === 0;
    if (held >= share || (!free && this.waitingCount >= capacity)) return { busyForMs: this.busyForMs() };
    this.held.set(client, held + 1);
    return { ticket: this.enter(client) };
  }

  private enter(client: string): Ticket {
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    let startedAt = 0;
    let settle: (outcome: TurnOutcome) => void = () => undefined;
    const turn = new Promise<TurnOutcome>((resolve) => (settle = resolve));
    const waiter: Waiter = {
      client,
      enqueuedAt: performance.now(),
      mayBeLate: false,
      start: () => {
        state = 'running';
        this.running += 1;
        startedAt = performance.now();
        settle('now');
      },
      end: (outcome) => {
        state = 'done';
        this.unhold(client);
        settle(outcome);
      },
    };
    const release = (): void => {
      if (state === 'done') return;
      if (state === 'running') {
        state = 'done';
        this.running -= 1;
        this.observe(performance.now() - startedAt);
        this.unhold(client);
      } else {
        this.removeWaiting(waiter);
        waiter.end('cancelled');
      }
      this.dispatch();
    };
    this.addWaiting(waiter);
    this.dispatch();
    waiter.mayBeLate = true;
    return { turn, release };
  }

  private observe(ms: number): void {
    this.observedJobMs = this.observedJobMs === undefined ? ms : this.observedJobMs + SMOOTHING * (ms - this.observedJobMs);
  }

  private addWaiting(waiter: Waiter): void {
    const line = this.waiting.get(waiter.client);
    if (line) line.push(waiter);
    else this.waiting.set(waiter.client, [waiter]);
    this.waitingCount += 1;
  }

  private removeWaiting(waiter: Waiter): void {
    const line = this.waiting.get(waiter.client);
    const index = line?.indexOf(waiter) ?? -1;
    if (!line || index < 0) return;
    line.splice(index, 1);
    if (line.length === 0) this.waiting.delete(waiter.client);
    this.waitingCount -= 1;
  }

  private unhold(client: string): void {
    const held = (this.held.get(client) ?? 1) - 1;
    if (held > 0) this.held.set(client, held);
    else this.held.delete(client);
  }

  /**
   * Starts waiting logins while checks are free, one client after the other. A login that could
   * no longer be answered within maxWaitMs (checks took longer than estimated when it was let in)
   * is ended unchecked, so the bound holds whatever the estimate.
   */
  private dispatch(): void {
    while (this.running < this.options.concurrency) {
      const first = this.waiting.entries().next();
      if (first.done) return;
      const [client, line] = first.value;
      const waiter = line.shift() as Waiter;
      this.waiting.delete(client);
      // Round the clients: one with more waiting goes to the back of the order.
      if (line.length > 0) this.waiting.set(client, line);
      this.waitingCount -= 1;
      const late = waiter.mayBeLate && performance.now() - waiter.enqueuedAt + this.jobMs() > this.options.maxWaitMs;
      if (late) waiter.end('late');
      else waiter.start();
    }
  }
}
