import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { workspaceAuth, type WorkspaceAuthOptions } from '../../../lib/index';
import { hashes, recordingLogger, SECRET, tempDir, USERS, USERS_FILE } from '../../helpers';

// The fixture users: bcrypt cost 10 (cost 12 for `constructor`), tens to hundreds of milliseconds
// a check, so a burst of logins is more than the line holds.
const closers: Array<() => void> = [];
afterAll(() => {
  for (const close of closers) close();
});

function makeApp(options: WorkspaceAuthOptions = {}) {
  const auth = workspaceAuth({ usersFile: USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger: recordingLogger(), ...options });
  closers.push(() => auth.close());
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(auth);
  return app;
}

type App = ReturnType<typeof makeApp>;

function login(app: App, client: string, username: string, password: string) {
  return request(app).post('/api/security/token').set('X-Forwarded-For', client).send({ username, password });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectShed(response: request.Response): void {
  expect({ status: response.status, code: response.body.code }).toEqual({ status: 503, code: 'login_busy' });
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
}

describe('a burst of correct logins of one user from one client', () => {
  // Half a second of waiting at most: far fewer places than 40 logins at cost 10 need.
  const app = makeApp({ loginQueue: { maxWaitMs: 500 } });

  it('is never refused with 429: each login gets 200 or 503 with Retry-After, and every shed one succeeds when retried after it', async () => {
    const first = await Promise.all(Array.from({ length: 40 }, () => login(app, '10.6.0.1', 'user1', USERS.user1.password)));
    const shed = first.filter((response) => response.status !== 200);
    expect(shed.length).toBeGreaterThan(0);
    for (const response of shed) expectShed(response);

    await sleep(Math.max(...shed.map((response) => Number(response.headers['retry-after']))) * 1000);
    for (let retry = 0; retry < shed.length; retry++) expect((await login(app, '10.6.0.1', 'user1', USERS.user1.password)).status).toBe(200);
  }, 60_000);
});

describe('the size of the line', () => {
  it('follows the hash cost of the users file: at cost 5 (htpasswd\'s default), 20 at once all get in', async () => {
    const temp = tempDir();
    closers.push(temp.remove);
    const usersFile = path.join(temp.dir, 'users.yml');
    writeFileSync(usersFile, `- username: cheap\n  hashed_password: "${hashes.htpasswd_default_2y.hash}"\n  api_key: cheap-api-key-0123456789\n`);
    // Estimated from the cost-10 check timed before, if any (1/32 of it), else timed at cost 5: milliseconds either way.
    const app = makeApp({ usersFile });
    const logins = await Promise.all(Array.from({ length: 20 }, () => login(app, '10.6.1.1', 'cheap', hashes.htpasswd_default_2y.password)));
    expect(logins.map((response) => response.status)).toEqual(Array(20).fill(200));
  }, 60_000);
});

describe('a flood of 300 logins with fresh usernames from one client', () => {
  // A line of 5 seconds: on a machine so busy that one check takes over 750 ms, the default line
  // of 1.5 s holds no waiting place at all, and every login but the one being checked is shed,
  // the other client's too (that, not the line's fairness, failed this spec under load).
  // The default line's 1.5 s is timed by `npm run bench` (part 7).
  const auth = workspaceAuth({ usersFile: USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger: recordingLogger(), loginQueue: { maxWaitMs: 5000 } });
  closers.push(() => auth.close());
  const app = express().set('trust proxy', 'loopback').use(auth);
  const shedEvents: string[] = [];
  auth.on('rate-limited', (event) => shedEvents.push(`${event.kind} ${event.ip}`));

  it('is answered at once with 503 beyond the client\'s share of the line, not hashed for minutes, and lets another client log in meanwhile', async () => {
    const flood = Promise.all(Array.from({ length: 300 }, (_, i) => login(app, '10.7.0.1', `fresh-${i}`, 'guess')));
    await sleep(20);
    const other = await login(app, '10.7.0.2', 'user2', USERS.user2.password);
    const answers = await flood;

    expect(other.status).toBe(200);
    const counts = { 401: 0, 503: 0 } as Record<number, number>;
    for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
    expect(Object.keys(counts).sort()).toEqual(['401', '503']);
    // Only the client's share of a line of 5 seconds was hashed: tens, not hundreds.
    expect(counts[401]).toBeGreaterThan(0);
    expect(counts[401]).toBeLessThan(60);
    for (const answer of answers.filter((response) => response.status === 503)) expectShed(answer);
    expect(shedEvents).toEqual(Array(counts[503]).fill('login-busy 10.7.0.1'));
    // The shed logins were not counted as failures: the flooding client is under its 100.
    expect((await login(app, '10.7.0.1', 'user2', USERS.user2.password)).status).toBe(200);
  }, 60_000);
});

describe('a login whose client has gone before its turn', () => {
  it('is never checked, so it never counts as a failure', async () => {
    // 2 failures would block `constructor` (cost 12: a check takes a quarter of a second or more).
    // A line of 10 seconds that one client and one account may fill: the 30 logins all wait in it.
    const app = makeApp({ loginRateLimit: { limit: 2 }, loginQueue: { maxWaitMs: 10_000, clientShare: 1, accountShare: 1 } });
    const server = app.listen(0, '127.0.0.1');
    closers.push(() => server.close());
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;

    const body = JSON.stringify({ username: 'constructor', password: 'wrong' });
    const abandoned = Array.from({ length: 30 }, () => {
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/api/security/token', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '10.8.0.1' } });
      req.on('error', () => undefined);
      req.end(body);
      return req;
    });
    // In line by now, behind the first one being checked: well inside that first check (a quarter
    // of a second or more), so none of them has had its turn yet when they hang up.
    await sleep(100);
    for (const req of abandoned) req.destroy();

    // The check under way when they hung up counts once; had any waiting one been checked, a
    // second failure would block the username (429). This login waits for that check to end.
    const answer = await login(app, '10.8.0.1', 'constructor', USERS.constructor.password);
    expect(answer.status).toBe(200);
  }, 30_000);
});
