import { RateLimiterMemory, RateLimiterRedis, RLWrapperTimeouts, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisHealth } from './redis-health';

/** Failures in a window, and when the window ends. */
export interface FailureCount {
  failures: number;
  msBeforeReset: number;
}

/** Counts failures per key in a fixed window that starts at the first failure. */
export interface FailureCounter {
  /** Counts one failure; resolves with the count it makes. */
  add(key: string): Promise<FailureCount>;
  /** The count now (0 failures when none). */
  peek(key: string): Promise<FailureCount>;
  /** Forgets the key's failures. */
  clear(key: string): Promise<void>;
}

// A Redis that does not answer within this is treated as away for that one command.
export const REDIS_TIMEOUT_MS = 500;

export interface CounterSpec {
  /** Names the counter's keys (and its Redis key prefix). */
  name: string;
  /** The count that blocks: rate-limiter-flexible's `points`. */
  limit: number;
  windowMs: number;
}

function toCount(result: RateLimiterRes | null): FailureCount {
  return result === null ? { failures: 0, msBeforeReset: 0 } : { failures: result.consumedPoints, msBeforeReset: Math.max(0, result.msBeforeNext) };
}

/**
 * The in-memory insurance limiter of rate-limiter-flexible, told when it stands in for Redis, so an
 * outage is logged (once) whatever made the Redis command fail: no connection, an error, a timeout.
 */
class ReportingInsurance extends RateLimiterMemory {
  constructor(
    spec: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly health: RedisHealth,
  ) {
    super(spec);
  }

  private report(): void {
    // Not ready: health logs the outage. Ready: the command itself failed or timed out.
    if (this.health.ready()) this.health.commandFailed(REDIS_TIMEOUT_MS);
  }

  override penalty(...args: Parameters<RateLimiterMemory['penalty']>): Promise<RateLimiterRes> {
    this.report();
    return super.penalty(...args);
  }

  override get(...args: Parameters<RateLimiterMemory['get']>): Promise<RateLimiterRes | null> {
    this.report();
    return super.get(...args);
  }

  override delete(...args: Parameters<RateLimiterMemory['delete']>): Promise<boolean> {
    this.report();
    return super.delete(...args);
  }
}

/**
 * A counter of rate-limiter-flexible: in this process's memory, or, given a Redis client, in Redis
 * (shared by every instance) with the library's in-memory insurance limiter standing in while
 * Redis is away or slow, so a login never waits on nor fails for Redis.
 */
export function createFailureCounter(spec: CounterSpec, redis?: { health: RedisHealth; keyPrefix: string }): FailureCounter {
  // Whole seconds: the library's Redis store sets no expiry at all for a window under one second.
  const base = { points: spec.limit, duration: Math.max(1, Math.ceil(spec.windowMs / 1000)), keyPrefix: spec.name };
  let limiter: RateLimiterAbstract;
  if (!redis) {
    limiter = new RateLimiterMemory(base);
  } else {
    const insuranceLimiter = new ReportingInsurance(base, redis.health);
    limiter = new RLWrapperTimeouts({
      limiter: new RateLimiterRedis({
        ...base,
        keyPrefix: `${redis.keyPrefix}${spec.name}`,
        storeClient: redis.health.client,
        useRedisPackage: redis.health.kind === 'node-redis',
        // Straight to memory while disconnected: no command waits in the client's offline queue.
        rejectIfRedisNotReady: true,
        insuranceLimiter,
      }),
      timeoutMs: REDIS_TIMEOUT_MS,
      insuranceLimiter,
    });
  }
  return {
    add: async (key) => toCount(await limiter.penalty(key, 1)),
    peek: async (key) => toCount(await limiter.get(key)),
    clear: async (key) => {
      await limiter.delete(key);
    },
  };
}
