import type { Logger } from '../types';
import { STORE_TIMINGS, StoreHealth } from './health';
import { isRedisReady, type RedisClient, type RedisKind } from './redis-client';

const UNAVAILABLE =
  "until it is back, failed logins are counted and logouts kept in this instance's memory only, so other instances do not see them. Logins, API keys and tokens keep working.";

/**
 * The shared Redis's health: the store's one outage policy (health.ts), told by the client's own
 * events too. One line when Redis goes away (or stops answering while connected), one when it is
 * back, whatever the number of requests or reconnection attempts between. Its `error` listener
 * also keeps an `error` event of the client from crashing the process.
 */
export class RedisHealth extends StoreHealth {
  private readonly onError = (error: unknown): void => this.failed(error);
  private readonly onReady = (): void => this.answered();

  constructor(
    readonly client: RedisClient,
    readonly kind: RedisKind,
    logger: Logger,
  ) {
    super(logger, {
      failed: (reason) =>
        isRedisReady(client, kind)
          ? `A Redis command failed or got no answer within ${STORE_TIMINGS.timeoutMs} ms (${reason}): this instance counts in its own memory, trying Redis again every ${STORE_TIMINGS.retryMs / 1000} s.`
          : `Redis is unavailable (${reason}): ${UNAVAILABLE}`,
      back: () => 'Redis is back: failed logins are counted and logouts kept in Redis again, shared by every instance.',
    });
    client.on('error', this.onError);
    client.on('ready', this.onReady);
  }

  private connected(): boolean {
    return isRedisReady(this.client, this.kind);
  }

  /** Never while disconnected: a command would wait in the client's offline queue. */
  override mayAsk(): boolean {
    if (this.connected()) return super.mayAsk();
    this.failed(new Error('not connected'));
    return false;
  }

  /** Stops listening to the client (the app owns it, and closes it). */
  close(): void {
    this.client.removeListener('error', this.onError);
    this.client.removeListener('ready', this.onReady);
  }
}
