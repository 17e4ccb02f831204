import { RateLimiterMemory, RateLimiterRedis, RLWrapperTimeouts, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import { STORE_TIMINGS } from './health';
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
 * The in-memory insurance limiter of rate-limiter-flexible, over `memory`, told when it stands in
 * for Redis, so a failed command is reported whatever made it fail: no connection, an error, a timeout.
 */
class ReportingInsurance extends RateLimiterMemory {
  constructor(
    private readonly memory: RateLimiterMemory,
    private readonly health: RedisHealth,
  ) {
    super({ points: memory.points, duration: memory.duration });
  }

  private report(): void {
    this.health.failed(new Error('the command failed or timed out'));
  }

  override penalty(...args: Parameters<RateLimiterMemory['penalty']>): Promise<RateLimiterRes> {
    this.report();
    return this.memory.penalty(...args);
  }

  override get(...args: Parameters<RateLimiterMemory['get']>): Promise<RateLimiterRes | null> {
    this.report();
    return this.memory.get(...args);
  }

  override delete(...args: Parameters<RateLimiterMemory['delete']>): Promise<boolean> {
    this.report();
    return this.memory.delete(...args);
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
  const memory = new RateLimiterMemory(base);
  if (!redis) return counterOver((command) => command(memory));
  const shared = new RLWrapperTimeouts({
    limiter: new RateLimiterRedis({
      ...base,
      keyPrefix: `${redis.keyPrefix}${spec.name}`,
      storeClient: redis.health.client,
      useRedisPackage: redis.health.kind === 'node-redis',
      // Straight to memory while disconnected: no command waits in the client's offline queue.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new ReportingInsurance(memory, redis.health),
    }),
    // Takes the insurance limiter of the limiter it wraps: a timed-out command is counted there too.
    timeoutMs: STORE_TIMINGS.timeoutMs,
  });
  const { health } = redis;
  // While Redis fails, memory at once rather than one more deadline, but for one retry a second.
  // A command Redis itself answered (no failure reported meanwhile) ends an outage.
  return counterOver(async (command) => {
    if (!health.mayAsk()) return command(memory);
    const failuresBefore = health.failures;
    const result = await command(shared);
    if (health.failures === failuresBefore) health.answered();
    return result;
  });
}

type Command<T> = (limiter: RateLimiterAbstract) => Promise<T>;

function counterOver(run: <T>(command: Command<T>) => Promise<T>): FailureCounter {
  return {
    add: async (key) => toCount(await run((limiter) => limiter.penalty(key, 1))),
    peek: async (key) => toCount(await run((limiter) => limiter.get(key))),
    clear: async (key) => {
      await run((limiter) => limiter.delete(key));
    },
  };
}
