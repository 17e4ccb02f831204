import { createFailureCounter, type CounterSpec, type FailureCounter } from './failure-counter';
import { redisKindOf, type RedisClient } from './redis-client';
import { RedisHealth } from './redis-health';
import { RedisRevocationList, type RevocationList } from './redis-revocation-list';
import type { Logger } from './types';

/** Where the failure counts and the logged-out tokens are kept: this process's memory, or one Redis for every instance. */
export interface SharedStore {
  counter(spec: CounterSpec): FailureCounter;
  /** The logged-out tokens in Redis; undefined without Redis (the in-memory list of the tokens module serves then). */
  revocations: RevocationList | undefined;
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
    revocations: new RedisRevocationList(health, keyPrefix),
    close: () => health.close(),
  };
}
