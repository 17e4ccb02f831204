import type { Logger } from '../types';
import { createFailureCounter, type CounterSpec, type FailureCounter } from './failure-counter';
import { redisKindOf, type RedisClient } from './redis-client';
import { RedisHealth } from './redis-health';
import { RedisRevocationStore } from './redis-revocations';
import type { RevocationList } from './revocation-list';
import { createRevocationList } from './shared-revocations';

export interface StoreSettings {
  /** The shared Redis of every instance, if any. */
  redis: RedisClient | undefined;
  redisKeyPrefix: string;
  /** An app's own list of logged-out tokens: shared instead of Redis's. */
  revocationList: RevocationList | undefined;
  logger: Logger;
}

/** Where the failure counts and the logged-out tokens are kept: this process's memory, and one Redis (or the app's list) for every instance. */
export interface Store {
  counter(spec: CounterSpec): FailureCounter;
  /** The logged-out tokens: memory, and the shared list when there is one. */
  revocations: RevocationList;
  /** Stops listening to the Redis client; the app closes the client itself. */
  close(): void;
}

/** The store's builder: one Redis health for counts and logouts alike (health.ts), or memory alone. */
export function createStore({ redis, redisKeyPrefix, revocationList, logger }: StoreSettings): Store {
  if (!redis) {
    return { counter: (spec) => createFailureCounter(spec), revocations: createRevocationList(revocationList, logger), close: () => undefined };
  }
  const kind = redisKindOf(redis);
  // validateOptions refused anything else already.
  if (typeof kind !== 'string') throw new TypeError(`redis: ${kind.problem}`);
  const health = new RedisHealth(redis, kind, logger);
  return {
    counter: (spec) => createFailureCounter(spec, { health, keyPrefix: redisKeyPrefix }),
    // The app's own list, when given, is shared instead of Redis's, with an outage policy of its own.
    revocations: revocationList ? createRevocationList(revocationList, logger) : createRevocationList(new RedisRevocationStore(health, redisKeyPrefix), health),
    close: () => health.close(),
  };
}
