import Redis from 'ioredis';
import { createStore, type Store } from '../../../lib/store/store';
import { recordingLogger } from '../../helpers';
import { hasRedisServer, RedisServer } from '../../redis-server';
import { describeWithTool } from '../../system-tools';

const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function untilReady(redis: Redis): Promise<void> {
  return redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', () => resolve()));
}

describeWithTool('redis-server', hasRedisServer)('the logged-out tokens in Redis', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const stores: Store[] = [];

  /** One instance's list as the plugin builds it, over a client of its own, as another process would have. */
  async function instanceList() {
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    clients.push(redis);
    const logger = recordingLogger();
    const store = createStore({ redis, redisKeyPrefix: 'spec:', revocationList: undefined, logger });
    stores.push(store);
    await untilReady(redis);
    return { redis, logger, list: store.revocations };
  }

  beforeAll(async () => {
    server = await RedisServer.start();
  }, 30_000);
  afterAll(async () => {
    for (const store of stores) store.close();
    for (const client of clients) client.disconnect();
    await server.stop();
  });

  it('refuses on every instance a token logged out on one, and Redis keeps it no longer than the token lives', async () => {
    const [a, b] = await Promise.all([instanceList(), instanceList()]);
    expect(await b.list.isRevoked('token-1')).toBe(false);
    await a.list.revoke('token-1', inSeconds(2));
    expect(await a.list.isRevoked('token-1')).toBe(true);
    expect(await b.list.isRevoked('token-1')).toBe(true);
    expect(await b.list.isRevoked('token-2')).toBe(false);
    const ttl = await a.redis.pttl('spec:revoked:token-1');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2000);
  });

  it('writes nothing for a token that has already expired', async () => {
    const { list, redis } = await instanceList();
    await list.revoke('expired', inSeconds(-1));
    expect(await redis.exists('spec:revoked:expired')).toBe(0);
  });

  it('while Redis is away: answers from memory (its own logouts refused, others not seen), and writes the logouts Redis missed once it is back', async () => {
    const [a, b] = await Promise.all([instanceList(), instanceList()]);
    await a.list.revoke('before-outage', inSeconds(60));
    await server.stop();
    await sleep(300);

    await a.list.revoke('during-outage', inSeconds(60));
    expect(await a.list.isRevoked('during-outage')).toBe(true);
    expect(await b.list.isRevoked('during-outage')).toBe(false);
    expect(await b.list.isRevoked('before-outage')).toBe(false);
    for (let i = 0; i < 20; i++) await b.list.isRevoked(`any-${i}`);
    expect(b.logger.lines.filter((line) => line.includes('Redis is unavailable'))).toHaveLength(1);
    expect(b.logger.lines.filter((line) => line.includes('revocation list failed'))).toEqual([]);

    await server.start();
    await Promise.all([untilReady(a.redis), untilReady(b.redis)]);
    await sleep(150);
    // a's next question to Redis finds it answering, and writes the logout it missed.
    expect(await a.list.isRevoked('anything')).toBe(false);
    await sleep(100);
    expect(await b.list.isRevoked('during-outage')).toBe(true);
    expect(a.logger.lines.filter((line) => line.includes('Redis is back'))).toHaveLength(1);
  }, 30_000);
});
