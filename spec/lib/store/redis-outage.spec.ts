// An outage heals itself (issue 24, item 4): two instances of the example app on one real Redis,
// each with the client the example app makes (example-app/redis.ts). Redis freezes (SIGSTOP),
// dies (SIGKILL) and starts again on its port; nothing is asked of the instance that took the
// logouts once Redis is back, yet the other instance refuses the logged-out tokens within 2 s.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Redis from 'ioredis';
import { createApp } from '../../../example-app/app';
import { redisFromUrl } from '../../../example-app/redis';
import { DEMO, EXAMPLE_USERS_FILE } from '../../example-app/helpers';
import { recordingLogger, SECRET } from '../../helpers';
import { hasRedisServer, RedisServer } from '../../redis-server';
import { describeWithTool } from '../../system-tools';

jest.setTimeout(60_000);

// SPEC §5 via issue 24: the other instance refuses a token logged out during the outage within 2 s of Redis being back.
const HEALED_WITHIN_MS = 2000;

async function startInstance(redisUrl: string) {
  const redis = redisFromUrl(redisUrl) as Redis;
  const logger = recordingLogger();
  const { app, auth } = createApp({ auth: { usersFile: EXAMPLE_USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger, redis } });
  app.set('trust proxy', 'loopback');
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await untilReady(redis);
  const call = (method: string, path: string, client: string, headers: Record<string, string> = {}, body?: object) =>
    fetch(`${url}${path}`, { method, headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client, ...headers }, ...(body && { body: JSON.stringify(body) }) });
  return {
    redis,
    logger,
    async token(client: string, username: keyof typeof DEMO): Promise<string> {
      const answer = await call('POST', '/api/security/token', client, {}, { username, password: DEMO[username].password });
      return ((await answer.json()) as { access_token: string }).access_token;
    },
    login: (client: string, username: string, password: string) => call('POST', '/api/security/token', client, {}, { username, password }),
    logout: (client: string, token: string) => call('POST', '/api/security/logout', client, { Authorization: `Bearer ${token}` }),
    me: (client: string, token: string) => call('GET', '/api/me', client, { Authorization: `Bearer ${token}` }),
    async close() {
      auth.close();
      redis.disconnect();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function untilReady(redis: Redis): Promise<void> {
  return redis.status === 'ready' ? Promise.resolve() : new Promise((resolve) => redis.once('ready', () => resolve()));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithTool('redis-server', hasRedisServer)('an outage of the shared Redis, frozen then killed then started again', () => {
  let redisServer: RedisServer | undefined;
  let a: Awaited<ReturnType<typeof startInstance>> | undefined;
  let b: Awaited<ReturnType<typeof startInstance>> | undefined;
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    redisServer?.resume();
    await redisServer?.stop();
  });

  it('heals by itself: the logouts one instance took meanwhile are refused on the other within 2 s of Redis being back, and the counts are shared again', async () => {
    redisServer = await RedisServer.start();
    a = await startInstance(redisServer.url);
    b = await startInstance(redisServer.url);
    const [frozenToken, deadToken] = [await a.token('10.24.40.1', 'user1'), await a.token('10.24.40.1', 'user2')];
    expect((await b.me('10.24.40.1', frozenToken)).status).toBe(200);

    // Frozen: the connections stay open and nothing answers. The logout waits its deadline, then is kept in memory.
    redisServer.pause();
    expect((await a.logout('10.24.40.1', frozenToken)).status).toBe(204);
    expect((await a.me('10.24.40.1', frozenToken)).status).toBe(401);
    // b cannot know yet: the price of tokens that keep working through an outage.
    expect((await b.me('10.24.40.1', frozenToken)).status).toBe(200);

    // Dead: the connections drop, the clients try to reconnect.
    await redisServer.stop();
    await sleep(300);
    expect((await a.logout('10.24.40.1', deadToken)).status).toBe(204);
    expect((await a.me('10.24.40.1', deadToken)).status).toBe(401);
    expect((await b.me('10.24.40.1', deadToken)).status).toBe(200);
    await sleep(1000);

    // Back, on the same port, empty. From here on, a is asked nothing.
    await redisServer.start();
    const back = performance.now();
    const refusedOnB = async (token: string): Promise<number> => {
      while (performance.now() - back < 10_000) {
        if ((await b?.me('10.24.40.2', token))?.status === 401) return performance.now() - back;
        await sleep(100);
      }
      return Number.POSITIVE_INFINITY;
    };
    const [frozenMs, deadMs] = await Promise.all([refusedOnB(frozenToken), refusedOnB(deadToken)]);
    expect({ frozenWithin: frozenMs <= HEALED_WITHIN_MS, deadWithin: deadMs <= HEALED_WITHIN_MS, frozenMs: Math.round(frozenMs), deadMs: Math.round(deadMs) }).toEqual({
      frozenWithin: true,
      deadWithin: true,
      frozenMs: Math.round(frozenMs),
      deadMs: Math.round(deadMs),
    });

    // The counters resume: 10 failures across both instances block the username on both.
    for (let attempt = 0; attempt < 10; attempt++) expect((await (attempt % 2 === 0 ? a : b).login('10.24.40.3', 'user3', 'wrong')).status).toBe(401);
    expect((await a.login('10.24.40.3', 'user3', DEMO.user3.password)).status).toBe(429);
    expect((await b.login('10.24.40.3', 'user3', DEMO.user3.password)).status).toBe(429);

    // One line for the outage and one for its end, on each: no flood of reconnection errors.
    for (const instance of [a, b]) {
      expect(instance.logger.lines.filter((line) => /Redis is unavailable|got no answer within/.test(line))).toHaveLength(1);
      expect(instance.logger.lines.filter((line) => line.includes('Redis is back'))).toHaveLength(1);
    }
  });
});
