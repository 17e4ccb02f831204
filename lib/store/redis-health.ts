import { isRedisReady, type RedisClient, type RedisKind } from './redis-client';
import type { Logger } from '../types';

// A Redis that stays connected but fails or does not answer: one line a minute says so, not one per request.
const FAILURE_REPORT_INTERVAL_MS = 60_000;
// After a command failed or timed out, commands go straight to memory for this long, so a hung
// Redis costs one deadline per few seconds, not one per request.
const PAUSE_AFTER_FAILURE_MS = 5_000;

/**
 * Whether the shared Redis can be used now, and the log of its outages: one line when it goes
 * away, one when it is back, whatever the number of requests or reconnection attempts between.
 * Its `error` listener also keeps an `error` event of the client from crashing the process.
 */
export class RedisHealth {
  private down = false;
  private lastFailureReport = -Infinity;
  private pausedUntil = -Infinity;

  private readonly onError = (error: unknown): void => this.unavailable(error instanceof Error ? error.message : String(error));
  private readonly onReady = (): void => {
    if (!this.down) return;
    this.down = false;
    this.logger.info('Redis is back: failed logins are counted and logouts kept in Redis again, shared by every instance.');
  };

  constructor(
    readonly client: RedisClient,
    readonly kind: RedisKind,
    private readonly logger: Logger,
  ) {
    client.on('error', this.onError);
    client.on('ready', this.onReady);
  }

  /** Whether commands can be sent now; logs the outage (once) when they cannot. */
  ready(): boolean {
    if (isRedisReady(this.client, this.kind)) return true;
    this.unavailable('not connected');
    return false;
  }

  /** Whether to send commands now: ready, and no command failed in the last few seconds. */
  usable(): boolean {
    return this.ready() && performance.now() >= this.pausedUntil;
  }

  /** An outage: logged once until the client is ready again. */
  unavailable(reason: string): void {
    if (this.down) return;
    this.down = true;
    this.logger.error(
      `Redis is unavailable (${reason}): until it is back, failed logins are counted and logouts kept in this instance's memory only, ` +
        'so other instances do not see them. Logins, API keys and tokens keep working.',
    );
  }

  /** A command that failed or got no answer in time while connected: a pause, logged at most once a minute. */
  commandFailed(timeoutMs: number): void {
    // While disconnected, the outage is logged already, and commands wait for the connection, not a pause.
    if (this.down) return;
    const now = performance.now();
    this.pausedUntil = now + PAUSE_AFTER_FAILURE_MS;
    if (now - this.lastFailureReport < FAILURE_REPORT_INTERVAL_MS) return;
    this.lastFailureReport = now;
    this.logger.error(
      `A Redis command failed or got no answer within ${timeoutMs} ms: this instance counts in its own memory, trying Redis again every ${PAUSE_AFTER_FAILURE_MS / 1000} s.`,
    );
  }

  /** Stops listening to the client (the app owns it, and closes it). */
  close(): void {
    this.client.removeListener('error', this.onError);
    this.client.removeListener('ready', this.onReady);
  }
}
