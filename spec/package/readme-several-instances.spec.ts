/**
 * The program of docs/redis.md's "Sharing one Redis" section, run as a reader would save and run
 * it, against a real Redis and against none (an outage from the start).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort, hasRedisServer, RedisServer } from '../redis-server';
import { describeWithTool } from '../system-tools';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..');

/** The first ```ts block under the heading. */
function programUnder(heading: string): string {
  const page = readFileSync(path.join(ROOT, 'docs', 'redis.md'), 'utf8');
  const start = page.indexOf(`\n${heading}\n`);
  const match = start === -1 ? null : /```ts\n([\s\S]*?)\n```/.exec(page.slice(start));
  if (!match?.[1]) throw new Error(`docs/redis.md has no ts block under "${heading}"`);
  return match[1];
}

describeWithTool('redis-server', hasRedisServer)('docs/redis.md "Sharing one Redis"', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'readme-instances-'));
  let redis: RedisServer;

  beforeAll(async () => {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    // tsx follows `paths`: the package's name leads to this checkout's sources.
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, module: 'node16', esModuleInterop: true, paths: { 'express-workspace-auth': [path.join(ROOT, 'lib', 'index.ts')] } } }),
    );
    writeFileSync(path.join(dir, 'instance.ts'), programUnder('## Sharing one Redis'));
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function run(redisUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'instance.ts'], {
      cwd: dir,
      env: { PATH: process.env.PATH, REDIS_URL: redisUrl, ARGILLA_LOCAL_AUTH_SECRET_KEY: 'the-same-secret-key-on-every-instance' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  it('runs to its end with Redis, and counts the failed login there', async () => {
    const result = await run(redis.url);
    expect(result).toMatchObject({ code: 0, stdout: '401\n' });
    expect(result.stderr).not.toContain('Redis is unavailable');
    const client = new Redis(redis.url);
    try {
      expect(await client.keys('express-workspace-auth:failed-logins-client:*')).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  });

  it('runs to its end without Redis: the same answer, and the outage in one line', async () => {
    const result = await run(`redis://127.0.0.1:${await freePort()}`);
    expect(result).toMatchObject({ code: 0, stdout: '401\n' });
    expect(result.stderr.match(/Redis is unavailable/g)).toHaveLength(1);
  });
});
