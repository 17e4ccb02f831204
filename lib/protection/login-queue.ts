import type { ConcurrencyLimit } from '../util/concurrency-limit';
import { FairShares, type Holder } from './fair-shares';

/**
 * The line of logins waiting for a password check: the only queue a login of the plugin's route
 * waits in. bcrypt is the one expensive step of a login (about 60 ms of a core at cost 10,
 * doubling per step), so the line is bounded by the wait it would mean, not by a count: a login
 * that would not be answered within `maxWaitMs` is turned away at once (503 with Retry-After)
 * instead of holding a connection and memory for minutes. A turn is a place of the hash bound,
 * taken when the turn starts and held until the login ends, so a check starts only in its turn
 * and no check waits behind the line. No one client and no one account holds more than its
 * share of the places (fair-shares.ts), and the next turn goes to the login whose client and
 * account hold the fewest, so a flood neither fills the line nor delays another client's login
 * by more than the checks already running.
 */

export interface LoginQueueSettings {
  /** The bound on password checks at once that the turns are places of: this instance's own, or shared by the process. */
  hashes: ConcurrencyLimit;
  /** The longest a login may take, its wait and its own check, in milliseconds. */
  maxWaitMs: number;
  /** The share of the places (running and waiting) one client may hold, above 0 and at most 1. */
  clientShare: number;
  /** The share of the places one account (the username a login names) may hold, above 0 and at most 1. */
  accountShare: number;
  /** How long one check takes before any has been timed here, in milliseconds. */
  initialJobMs: () => number;
}

/**
 * How a wait ends: the login's turn; released before it (its client has gone); too late to be
 * answered in time; or shed, its place taken by a login whose client and account hold fewer.
 */
export type TurnOutcome = 'now' | 'cancelled' | 'late' | 'shed';

/** A login's place in line. */
export interface Ticket {
  readonly turn: Promise<TurnOutcome>;
  /** Ends the turn (or the wait): the next login goes. Safe to call more than once. */
  release(): void;
  /** Ends the wait if the turn has not come; once it has, nothing (the turn lasts until `release`). */
  cancel(): void;
}

export type Admission = { ticket: Ticket } | { busyForMs: number };

interface Waiter extends Holder {
  enqueuedAt: number;
  /** False while it is being admitted: a login that starts at once is never late, however long a check takes. */
  mayBeLate: boolean;
  start: () => void;
  /** Ends the wait without a turn. */
  end: (outcome: 'cancelled' | 'late' | 'shed') => void;
}

// The weight of the latest timing in the running estimate: recent enough to follow a change of
// load or hash cost within a few logins, smooth enough that one slow check does not shut the line.
const SMOOTHING = 0.3;

export class LoginQueue {
  private waitingCount = 0;
  /** Waiting logins by client; the Map's order is the order of turns (a served client goes last). */
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly shares: FairShares;
  private observedJobMs: number | undefined;
  /** Stops the wake-ups of the hash bound: listened to only while logins wait. */
  private stopWaking: (() => void) | undefined;
  private dispatching = false;

  constructor(private readonly options: Readonly<LoginQueueSettings>) {
    this.shares = new FairShares({ client: options.clientShare, account: options.accountShare });
  }

  private get concurrency(): number {
    return this.options.hashes.max;
  }

  /** The time one password check takes here: timed on the last logins, else the initial estimate. */
  jobMs(): number {
    return this.observedJobMs ?? this.options.initialJobMs();
  }

  /** How many may wait: as many as the concurrent checks answer within `maxWaitMs`, the ones running included. */
  private waitingCapacity(): number {
    return Math.max(0, Math.floor((this.options.maxWaitMs * this.concurrency) / this.jobMs()) - this.concurrency);
  }

  /** Time until the line has room again, for Retry-After. */
  busyForMs(): number {
    return Math.max(1, Math.ceil(this.waitingCount / this.concurrency)) * this.jobMs();
  }

  /** A place in line for a login of this client and account, or how long the line is busy. */
  admit(client: string, account: string): Admission {
    const holder = { client, account };
    const capacity = this.waitingCapacity();
    if (this.shares.beyondShare(holder, this.concurrency + capacity)) return { busyForMs: this.busyForMs() };
    const startsNow = this.options.hashes.hasFree && this.waitingCount === 0;
    if (!startsNow && this.waitingCount >= capacity && !this.makeRoomFor(holder)) return { busyForMs: this.busyForMs() };
    this.shares.hold(holder);
    return { ticket: this.enter(holder) };
  }

  /** In a full line, sheds the waiting login a newcomer may displace (fair-shares.ts), if any. */
  private makeRoomFor(newcomer: Holder): boolean {
    const displaced = this.shares.displaceable(newcomer, [...this.waiting.values()].flat());
    if (!displaced) return false;
    this.removeWaiting(displaced);
    displaced.end('shed');
    return true;
  }

  private enter(holder: Holder): Ticket {
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    let startedAt = 0;
    let settle: (outcome: TurnOutcome) => void = () => undefined;
    const turn = new Promise<TurnOutcome>((resolve) => (settle = resolve));
    const waiter: Waiter = {
      ...holder,
      enqueuedAt: performance.now(),
      mayBeLate: false,
      start: () => {
        state = 'running';
        startedAt = performance.now();
        settle('now');
      },
      end: (outcome) => {
        state = 'done';
        this.shares.unhold(holder);
        settle(outcome);
      },
    };
    const release = (): void => {
      if (state === 'waiting') cancel();
      if (state !== 'running') return;
      state = 'done';
      this.observe(performance.now() - startedAt);
      this.shares.unhold(holder);
      // Wakes this line too, if logins wait in it.
      this.options.hashes.give();
    };
    const cancel = (): void => {
      if (state !== 'waiting') return;
      this.removeWaiting(waiter);
      waiter.end('cancelled');
    };
    this.addWaiting(waiter);
    this.dispatch();
    waiter.mayBeLate = true;
    return { turn, release, cancel };
  }

  private observe(ms: number): void {
    this.observedJobMs = this.observedJobMs === undefined ? ms : this.observedJobMs + SMOOTHING * (ms - this.observedJobMs);
  }

  private addWaiting(waiter: Waiter): void {
    const line = this.waiting.get(waiter.client);
    if (line) line.push(waiter);
    else this.waiting.set(waiter.client, [waiter]);
    this.waitingCount += 1;
    this.listenForFreePlaces();
  }

  private removeWaiting(waiter: Waiter): void {
    const line = this.waiting.get(waiter.client);
    const index = line?.indexOf(waiter) ?? -1;
    if (!line || index < 0) return;
    line.splice(index, 1);
    if (line.length === 0) this.waiting.delete(waiter.client);
    this.waitingCount -= 1;
    this.listenForFreePlaces();
  }

  /**
   * The next waiting login: the first of the client whose login's client or account holds the
   * fewest places (fair-shares.ts), so a login from outside a flood goes before the flood's;
   * of equals, the clients take turns (one served goes to the back of the order).
   */
  private takeNext(): Waiter {
    let chosen: [string, Waiter[]] | undefined;
    let lightest = Number.POSITIVE_INFINITY;
    for (const entry of this.waiting) {
      const weight = this.shares.weight(entry[1][0] as Waiter);
      if (weight < lightest) [chosen, lightest] = [entry, weight];
    }
    const [client, line] = chosen as [string, Waiter[]];
    const waiter = line.shift() as Waiter;
    this.waiting.delete(client);
    if (line.length > 0) this.waiting.set(client, line);
    this.waitingCount -= 1;
    return waiter;
  }

  /** While logins wait, a place given back anywhere in the bound starts the next of them. */
  private listenForFreePlaces(): void {
    if (this.waitingCount > 0 && !this.stopWaking) this.stopWaking = this.options.hashes.onFree(() => this.dispatch());
    else if (this.waitingCount === 0 && this.stopWaking) {
      this.stopWaking();
      this.stopWaking = undefined;
    }
  }

  /**
   * Starts waiting logins while the bound has places, one client after the other. A login that
   * could no longer be answered within maxWaitMs (checks took longer than estimated when it was
   * let in) is ended unchecked, so the bound holds whatever the estimate.
   */
  private dispatch(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      while (this.waitingCount > 0 && this.options.hashes.tryTake()) {
        let started = false;
        while (!started && this.waitingCount > 0) {
          const waiter = this.takeNext();
          started = !(waiter.mayBeLate && performance.now() - waiter.enqueuedAt + this.jobMs() > this.options.maxWaitMs);
          if (started) waiter.start();
          else waiter.end('late');
        }
        // Every waiting login was late: the place goes back.
        if (!started) this.options.hashes.give();
      }
    } finally {
      this.dispatching = false;
      this.listenForFreePlaces();
    }
  }
}
