import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { createApp } from '../../../example-app/app';
import { EXAMPLE_USERS_FILE, DEMO } from '../../example-app/helpers';
import { recordingLogger, SECRET } from '../../helpers';
import { hasRedisServer, RedisServer } from '../../redis-server';
import { describeWithTool } from '../../system-tools';

// Hundreds of requests a spec: more than the default 5 s on a busy 2-core machine.
jest.setTimeout(30_000);

/** One instance of the example app, as a process of its own would run it: its own Redis client and port. */
async function startInstance(redisUrl: string) {
  // Reconnects every 100 ms, so the spec need not wait long once Redis is back.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 100 });
  redis.on('error', () => undefined);
  const logger = recordingLogger();
  const { app, auth } = createApp({ auth: { usersFile: EXAMPLE_USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger, redis } });
  // Behind one proxy on loopback: each spec plays its own client with X-Forwarded-For.
  app.set('trust proxy', 'loopback');
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await untilReady(redis);
  const post = (path: string, client: string, headers: Record<string, string>, body?: object) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client, ...headers }, body: JSON.stringify(body ?? {}) });
  return {
    redis,
    logger,
    login: (client: string, username: string, password: string) => post('/api/security/token', client, {}, { username, password }),
    post,
    get: (path: string, client: string, headers: Record<string, string>) => fetch(`${url}${path}`, { headers: { 'X-Forwarded-For': client, ...headers } }),
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

const lines = (logger: { lines: string[] }, text: string) => logger.lines.filter((line) => line.includes(text));

describeWithTool('redis-server', hasRedisServer)('two instances sharing one Redis', () => {
  let redisServer: RedisServer;
  let a: Awaited<ReturnType<typeof startInstance>>;
  let b: Awaited<ReturnType<typeof startInstance>>;
  let loggedOutDuringOutage: Record<string, string> = {};

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    [a, b] = await Promise.all([startInstance(redisServer.url), startInstance(redisServer.url)]);
  }, 30_000);
  const monitors: Redis[] = [];
  afterAll(async () => {
    for (const monitor of monitors) monitor.disconnect();
    await Promise.all([a?.close(), b?.close()]);
    await redisServer?.stop();
  });

  it('share the failed-login count: 10 failures across both, then the 11th attempt is 429 on both', async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const instance = attempt % 2 === 0 ? a : b;
      expect((await instance.login('10.9.0.1', 'user1', 'wrong')).status).toBe(401);
    }
    for (const instance of [a, b]) {
      const refused = await instance.login('10.9.0.1', 'user1', DEMO.user1.password);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another client is not blocked, on either.
    expect((await b.login('10.9.0.2', 'user1', DEMO.user1.password)).status).toBe(200);
  });

  it('share logouts: a token logged out on one is refused on the other', async () => {
    const token = ((await (await a.login('10.9.5.1', 'user2', DEMO.user2.password)).json()) as { access_token: string }).access_token;
    const bearer = { Authorization: `Bearer ${token}` };
    expect((await b.get('/api/me', '10.9.5.1', bearer)).status).toBe(200);
    expect((await a.post('/api/security/logout', '10.9.5.1', bearer)).status).toBe(204);
    expect((await b.get('/api/me', '10.9.5.1', bearer)).status).toBe(401);
    expect((await a.get('/api/me', '10.9.5.1', bearer)).status).toBe(401);
  });

  it('share the count of invalid API keys: a client cut off on one is cut off on the other from its first failure there', async () => {
    for (let guess = 0; guess < 100; guess++) expect((await a.get('/api/me', '10.9.1.1', { 'X-API-Key': `guess-${guess}` })).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await a.get('/api/me', '10.9.1.1', { 'X-API-Key': DEMO.user1.apiKey })).status).toBe(429);
    // b has not seen this client fail yet; its first failure there finds the count in Redis.
    expect((await b.get('/api/me', '10.9.1.1', { 'X-API-Key': 'one-more-guess' })).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await b.get('/api/me', '10.9.1.1', { 'X-API-Key': DEMO.user1.apiKey })).status).toBe(429);
    expect((await b.get('/api/me', '10.9.1.2', { 'X-API-Key': DEMO.user1.apiKey })).status).toBe(200);
  });

  it('keep answering when Redis goes away (no 500, logins, API keys and tokens work), each counting in its memory, with one log line each', async () => {
    const token = ((await (await a.login('10.9.2.1', 'user2', DEMO.user2.password)).json()) as { access_token: string }).access_token;
    await redisServer.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const statuses: number[] = [];
    for (const instance of [a, b]) {
      statuses.push((await instance.login('10.9.2.1', 'user2', DEMO.user2.password)).status);
      statuses.push((await instance.get('/api/me', '10.9.2.1', { 'X-API-Key': DEMO.user2.apiKey })).status);
      statuses.push((await instance.get('/api/me', '10.9.2.1', { Authorization: `Bearer ${token}` })).status);
      statuses.push((await instance.get('/api/datasets', '10.9.2.1', { 'X-API-Key': DEMO.user2.apiKey })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);

    // A logout while Redis is away: refused where it was made, not seen by the other instance yet.
    loggedOutDuringOutage = { Authorization: `Bearer ${token}` };
    expect((await a.post('/api/security/logout', '10.9.2.1', loggedOutDuringOutage)).status).toBe(204);
    expect((await a.get('/api/me', '10.9.2.1', loggedOutDuringOutage)).status).toBe(401);
    expect((await b.get('/api/me', '10.9.2.1', loggedOutDuringOutage)).status).toBe(200);

    // Counting goes on in each instance's memory: a's 10 failures block on a, not on b.
    for (let attempt = 0; attempt < 10; attempt++) expect((await a.login('10.9.2.2', 'user3', 'wrong')).status).toBe(401);
    expect((await a.login('10.9.2.2', 'user3', 'wrong')).status).toBe(429);
    expect((await b.login('10.9.2.2', 'user3', 'wrong')).status).toBe(401);

    for (const instance of [a, b]) {
      expect(lines(instance.logger, 'Redis is unavailable')).toHaveLength(1);
      expect(lines(instance.logger, 'Unexpected error')).toEqual([]);
    }
  }, 30_000);

  it('go back to sharing counts in Redis when it is back, and log that once', async () => {
    await redisServer.start();
    await Promise.all([untilReady(a.redis), untilReady(b.redis)]);
    for (let attempt = 0; attempt < 10; attempt++) {
      const instance = attempt % 2 === 0 ? b : a;
      expect((await instance.login('10.9.3.1', 'user3', 'wrong')).status).toBe(401);
    }
    expect((await a.login('10.9.3.1', 'user3', DEMO.user3.password)).status).toBe(429);
    expect((await b.login('10.9.3.1', 'user3', DEMO.user3.password)).status).toBe(429);
    // a writes the logout Redis missed at its next question to Redis (a token request); then b refuses it too.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = ((await (await a.login('10.9.3.2', 'user1', DEMO.user1.password)).json()) as { access_token: string }).access_token;
    expect((await a.get('/api/me', '10.9.3.2', { Authorization: `Bearer ${fresh}` })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await b.get('/api/me', '10.9.2.1', loggedOutDuringOutage)).status).toBe(401);
    for (const instance of [a, b]) {
      expect(lines(instance.logger, 'Redis is back')).toHaveLength(1);
      expect(lines(instance.logger, 'Redis is unavailable')).toHaveLength(1);
    }
  }, 30_000);

  it('do not wait on a Redis that stops answering: a command past its deadline falls back to memory, and Redis is left alone a few seconds, logged once', async () => {
    const monitor = new Redis(redisServer.url);
    monitors.push(monitor);
    const processed = async () => Number(/total_commands_processed:(\d+)/.exec(await monitor.info('stats'))?.[1]);
    const before = await processed();
    redisServer.pause();
    try {
      const answers = await Promise.all([
        a.login('10.9.4.1', 'user1', 'wrong'),
        a.login('10.9.4.2', 'user1', DEMO.user1.password),
        a.get('/api/me', '10.9.4.3', { 'X-API-Key': 'a-guess' }),
        a.get('/api/me', '10.9.4.3', { 'X-API-Key': DEMO.user1.apiKey }),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([401, 200, 401, 200]);
      // Redis left alone after those deadlines: these go to memory at once, no command sent.
      for (let attempt = 0; attempt < 9; attempt++) expect((await a.login('10.9.4.4', 'user1', 'wrong')).status).toBe(401);
      expect(lines(a.logger, 'got no answer within 500 ms')).toHaveLength(1);
    } finally {
      redisServer.resume();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The first logins' commands (a few transactions), answered late; not the 9 logins' (over a hundred).
    expect((await processed()) - before).toBeLessThan(50);
  }, 30_000);
});
