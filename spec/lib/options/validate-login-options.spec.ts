import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { ConfigError, workspaceAuth } from '../../../lib/index';

const quiet = { info() {}, warn() {}, error() {} };
const dir = mkdtempSync(path.join(tmpdir(), 'ewa-login-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function messagesFor(options: object): string[] {
  try {
    workspaceAuth({ env: {}, cwd: dir, watch: false, logger: quiet, ...options }).close();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) => problem.message);
  }
  throw new Error(`workspaceAuth(${JSON.stringify(options)}) did not throw`);
}

describe('the options of the login defences', () => {
  it('checks loginRateLimit.clientLimit, and windows of at least a second', () => {
    expect(messagesFor({ loginRateLimit: { clientLimit: 0, windowMs: 500 } })).toEqual([
      'loginRateLimit.clientLimit must be a whole number of failed logins, 1 or more, not the number 0.',
      'loginRateLimit.windowMs must be a whole number of milliseconds, 1000 (one second) or more, not the number 500.',
    ]);
  });

  it('refuses the former express-rate-limit store with the way to share counts now', () => {
    expect(messagesFor({ loginRateLimit: { store: {} } })).toEqual([
      'loginRateLimit.store is no longer supported: failed logins are counted with rate-limiter-flexible. To share the counts between instances, pass your Redis client as the redis option: workspaceAuth({ redis: new Redis(process.env.REDIS_URL) }).',
    ]);
  });

  it('checks keyAndTokenRateLimit field by field', () => {
    expect(messagesFor({ keyAndTokenRateLimit: { limit: '100', max: 5 } })).toEqual([
      'keyAndTokenRateLimit.limit must be a whole number of invalid API keys and tokens, 1 or more, not the string "100". Write it without quotes: keyAndTokenRateLimit.limit: 100.',
      'Unknown option keyAndTokenRateLimit.max. Did you mean keyAndTokenRateLimit.limit?',
    ]);
    expect(messagesFor({ keyAndTokenRateLimit: [] })).toEqual(['keyAndTokenRateLimit must be an object such as { windowMs: 900000, limit: 100 }, not an array.']);
  });

  it('checks loginQueue: a wait in milliseconds, a share above 0 and at most 1', () => {
    expect(messagesFor({ loginQueue: { maxWaitMs: 1.5, clientShare: 0 } })).toEqual([
      'loginQueue.maxWaitMs must be a whole number of milliseconds, 1 or more, not the number 1.5.',
      'loginQueue.clientShare must be a number above 0 and at most 1 (0.5: one client may hold half of the line), not the number 0.',
    ]);
    expect(messagesFor({ loginQueue: { clientShare: 1.5, maxWait: 10 } })).toEqual([
      'loginQueue.clientShare must be a number above 0 and at most 1 (0.5: one client may hold half of the line), not the number 1.5.',
      'Unknown option loginQueue.maxWait. Did you mean loginQueue.maxWaitMs?',
    ]);
  });

  it('wants a Redis client, not its URL nor a look-alike', () => {
    expect(messagesFor({ redis: 'redis://localhost:6379' })).toEqual([
      'redis must be a Redis client, ioredis (new Redis(process.env.REDIS_URL)) or node-redis 4+ (createClient({ url }), connected), not the string "redis://localhost:6379": it is not an object. Pass a client, not a URL.',
    ]);
    expect(messagesFor({ redis: { on() {} } })).toEqual([expect.stringContaining('not an object: it lacks removeListener, multi, del.')]);
    expect(messagesFor({ redis: { on() {}, removeListener() {}, multi() {}, del() {} } })).toEqual([
      expect.stringContaining('it is neither an ioredis client (status, call, defineCommand) nor a node-redis 4+ client (isReady, sendCommand, eval)'),
    ]);
    expect(messagesFor({ redisKeyPrefix: '' })).toEqual([expect.stringContaining('redisKeyPrefix must be a non-empty string, not an empty string.')]);
  });

  it('takes an ioredis client that is not connected yet, and leaves it alone', () => {
    const redis = new Redis({ lazyConnect: true });
    const auth = workspaceAuth({ env: {}, cwd: dir, watch: false, logger: quiet, redis });
    auth.close();
    expect(redis.status).toBe('wait');
    expect(redis.listenerCount('error')).toBe(0);
    redis.disconnect();
  });
});
