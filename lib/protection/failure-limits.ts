import { sha256 } from '../util/digest';
import type { FailureCounter } from '../store/failure-counter';
import type { RefusalCode } from '../refusals';

/** A refusal for too many failures, and for how long it holds. */
export interface Blocked {
  code: RefusalCode;
  retryAfterMs: number;
}

/**
 * Failed logins, counted per username and client (consecutive: a successful login clears them)
 * and per client across usernames (password spraying). Only real credential failures are
 * counted, by the caller, after the password check: refused and shed logins never are.
 */
export class LoginFailureLimits {
  constructor(
    private readonly perUsername: FailureCounter,
    private readonly perClient: FailureCounter,
    private readonly limits: { perUsername: number; perClient: number },
  ) {}

  /** Hashed, so no username (or a password typed into the username field) is stored as it was typed. */
  private usernameKey(client: string, username: string): string {
    return `${client}|${sha256(username)}`;
  }

  /** Whether a login of this username from this client is refused now, and for how long. */
  async blocked(client: string, username: string): Promise<Blocked | undefined> {
    const [byUsername, byClient] = await Promise.all([this.perUsername.peek(this.usernameKey(client, username)), this.perClient.peek(client)]);
    if (byClient.failures >= this.limits.perClient) return { code: 'too_many_failed_logins', retryAfterMs: byClient.msBeforeReset };
    if (byUsername.failures >= this.limits.perUsername) return { code: 'too_many_login_attempts', retryAfterMs: byUsername.msBeforeReset };
    return undefined;
  }

  /** A wrong password or an unknown username. */
  async failed(client: string, username: string): Promise<void> {
    await Promise.all([this.perUsername.add(this.usernameKey(client, username)), this.perClient.add(client)]);
  }

  /** A correct password: the username's consecutive failures from this client end. */
  async succeeded(client: string, username: string): Promise<void> {
    await this.perUsername.clear(this.usernameKey(client, username));
  }
}

// The blocked clients kept in memory are swept of expired entries when they reach this many
// (then twice as many as a sweep leaves), so sweeping stays rare however many are blocked at once.
const FIRST_SWEEP_AT = 10_000;

/**
 * Failed API keys and access tokens per client. The counter (perhaps in Redis) is consulted only
 * when a key or token fails; the clients it blocks are kept here, so the check every request
 * makes is a synchronous lookup, skipped while no client is blocked. With several instances, a
 * client blocked on one is blocked on another from its first failure there.
 */
export class KeyAndTokenFailureLimit {
  /** Client to the time its block ends, in milliseconds since the epoch. */
  private readonly blockedUntil = new Map<string, number>();
  private sweepAt = FIRST_SWEEP_AT;

  constructor(
    private readonly counter: FailureCounter,
    private readonly limit: number,
  ) {}

  /** Whether any client is blocked: the fast path of every request. */
  get anyBlocked(): boolean {
    return this.blockedUntil.size > 0;
  }

  /** Milliseconds this client stays blocked, 0 if it is not. */
  blockedMs(client: string): number {
    const until = this.blockedUntil.get(client);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left > 0) return left;
    this.blockedUntil.delete(client);
    return 0;
  }

  /** An invalid API key or token from this client; resolves once counted (never rejects). */
  async failed(client: string): Promise<void> {
    const count = await this.counter.add(client).catch(() => undefined);
    if (!count || count.failures < this.limit || count.msBeforeReset <= 0) return;
    if (this.blockedUntil.size >= this.sweepAt) this.sweep();
    this.blockedUntil.set(client, Date.now() + count.msBeforeReset);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [client, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(client);
    this.sweepAt = Math.max(FIRST_SWEEP_AT, this.blockedUntil.size * 2);
  }
}
