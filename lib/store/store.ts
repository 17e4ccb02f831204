import { createFailureCounter, REDIS_TIMEOUT_MS, type CounterSpec, type FailureCounter } from './failure-counter';
import { redisKindOf, type RedisClient } from './redis-client';
import { RedisHealth } from './redis-health';
import { RedisRevocationStore } from './redis-revocations';
import type { RevocationList } from './revocation-list';
import type { FailureReport } from './shared-revocations';
import type { Logger } from '../types';

/** Where the failure counts and the logged-out tokens are kept: this process's memory, or one Redis for every instance. */
export interface SharedStore {
  counter(spec: CounterSpec): FailureCounter;
  /** The logged-out tokens in Redis, with where shared-revocations.ts reports its failures; undefined without Redis. */
  revocations: { store: RevocationList; report: FailureReport } | undefined;
  /** Stops listening to the Redis client; the app closes the client itself. */
  close(): void;
}

export function createSharedStore(redis: RedisClient | undefined, keyPrefix: string, logger: Logger): SharedStore {
  if (!redis) return { counter: (spec) => createFailureCounter(spec), revocations: undefined, close: () => undefined };
  const kind = redisKindOf(redis);
  // validateOptions refused anything else already.
  if (typeof kind !== 'string') throw new TypeError(`redis: ${kind.problem}`);
  const health = new RedisHealth(redis, kind, logger);
  return {
    counter: (spec) => createFailureCounter(spec, { health, keyPrefix }),
    revocations: {
      store: new RedisRevocationStore(health, keyPrefix),
      // The outage and its end are logged once by health, for the counts and the logouts alike.
      report: { info: () => undefined, error: () => health.commandFailed(REDIS_TIMEOUT_MS) },
    },
    close: () => health.close(),
  };
}
