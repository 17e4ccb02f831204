import express from 'express';
import { createClient } from 'redis';
import request from 'supertest';
import { workspaceAuth } from '../../../lib/index';
import { recordingLogger, SECRET, USERS, USERS_FILE } from '../../helpers';
import { hasRedisServer, RedisServer } from '../../redis-server';
import { describeWithTool } from '../../system-tools';

// node-redis (`redis` on npm) as well as ioredis: the other client the field uses.
describeWithTool('redis-server', hasRedisServer)('a node-redis client', () => {
  let server: RedisServer;
  const client = () => {
    const redis = createClient({ url: server.url, socket: { reconnectStrategy: () => 100 } });
    redis.on('error', () => undefined);
    return redis;
  };
  let redis: ReturnType<typeof client>;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = client();
    await redis.connect();
  }, 30_000);
  afterAll(async () => {
    redis.destroy();
    await server.stop();
  });

  it('keeps the failure counts in Redis, and keeps answering without it', async () => {
    const logger = recordingLogger();
    const auth = workspaceAuth({ usersFile: USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger, redis, redisKeyPrefix: 'node-redis-spec:' });
    const app = express().use(auth);
    try {
      expect((await request(app).post('/api/security/token').send({ username: 'user1', password: 'wrong' })).status).toBe(401);
      expect(await redis.keys('node-redis-spec:*')).toEqual(expect.arrayContaining([expect.stringMatching(/^node-redis-spec:failed-logins-client:/)]));

      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await request(app).post('/api/security/token').send({ username: 'user1', password: 'wrong' })).status).toBe(401);
      expect((await request(app).post('/api/security/token').send({ username: 'user1', password: USERS.user1.password })).status).toBe(200);
      expect(logger.lines.filter((line) => line.includes('Redis is unavailable'))).toHaveLength(1);

      await server.start();
      await new Promise<void>((resolve) => (redis.isReady ? resolve() : redis.once('ready', () => resolve())));
      expect(logger.lines.filter((line) => line.includes('Redis is back'))).toHaveLength(1);
    } finally {
      auth.close();
    }
  }, 30_000);
});
