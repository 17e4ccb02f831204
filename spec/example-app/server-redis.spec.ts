import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { SECRET } from '../helpers';
import { freePort, hasRedisServer, RedisServer } from '../redis-server';
import { describeWithTool } from '../system-tools';
import { DEMO, EXAMPLE_USERS_FILE } from './helpers';

const root = path.join(__dirname, '..', '..');

describeWithTool('redis-server', hasRedisServer)('npm start with REDIS_URL', () => {
  let redis: RedisServer;
  let server: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    redis = await RedisServer.start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['--import', 'tsx', 'example-app/server.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        REDIS_URL: redis.url,
        ARGILLA_LOCAL_AUTH_USERS_DB_FILE: EXAMPLE_USERS_FILE,
        ARGILLA_LOCAL_AUTH_SECRET_KEY: SECRET,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the example app did not start:\n${output}`)), 20_000);
      server.stdout?.on('data', () => {
        if (output.includes('example app on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }, 30_000);

  afterAll(async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await redis.stop();
  });

  const login = (password: string) =>
    fetch(`${url}/api/security/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'user1', password }) });

  it('survives Redis going away: no crash, no 500, one line in the log', async () => {
    expect((await login(DEMO.user1.password)).status).toBe(200);
    // A login before the client's first connection is an outage too: count only what follows.
    const before = output.length;
    await redis.stop();
    // Several reconnection attempts (each an `error` event of the client) and requests meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await login('wrong')).status).toBe(401);
    expect((await login(DEMO.user1.password)).status).toBe(200);
    expect((await fetch(`${url}/api/datasets`, { headers: { 'X-API-Key': DEMO.user1.apiKey } })).status).toBe(200);
    expect(server.exitCode).toBeNull();
    expect(output.slice(before).match(/Redis is unavailable/g)).toHaveLength(1);
  }, 30_000);
});
