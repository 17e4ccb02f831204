import Redis from 'ioredis';

/**
 * The Redis client of `REDIS_URL`, shared by every instance for failed-login counts and logouts,
 * or undefined without it. The plugin logs an outage once and the return once; the client's own
 * `error` events (one per reconnection attempt) are dropped here, so they neither crash the
 * process (an EventEmitter without an `error` listener throws) nor flood the log.
 */
export function redisFromUrl(url: string | undefined): Redis | undefined {
  if (!url) return undefined;
  // Reconnects forever (ioredis's default), and commands fail at once while it is away rather than queue.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  return redis;
}
