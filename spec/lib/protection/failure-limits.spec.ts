import { writeFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { workspaceAuth, type WorkspaceAuthOptions } from '../../../lib/index';
import { TRUST_PROXY_TRUE_WARNING } from '../../../lib/protection/client-key';
import { hashes, makeApp as makeFixtureApp, recordingLogger, SECRET, tempDir, USERS } from '../../helpers';

// Users whose hash htpasswd made with its default cost (5): a check takes milliseconds, so a spec
// can make the hundreds of failures the default limits need.
const PASSWORD = hashes.htpasswd_default_2y.password;
const USERNAMES = Array.from({ length: 12 }, (_, i) => `user${i}`);
const temp = tempDir();
const usersFile = path.join(temp.dir, 'users.yml');
writeFileSync(
  usersFile,
  USERNAMES.map((username) => `- username: ${username}\n  hashed_password: "${hashes.htpasswd_default_2y.hash}"\n  api_key: ${username}-api-key-0123456789\n`).join('') +
    `- username: disabled0\n  hashed_password: "${hashes.htpasswd_default_2y.hash}"\n  api_key: disabled0-api-key-0123456789\n  disabled: true\n`,
);
// Hundreds of requests a spec: more than the default 5 s on a busy 2-core machine.
jest.setTimeout(30_000);

const closers: Array<() => void> = [];
afterAll(() => {
  for (const close of closers) close();
  temp.remove();
});

/** An app behind one trusted proxy on loopback: the client is the X-Forwarded-For address, as a hop count would give. */
function makeApp(options: WorkspaceAuthOptions = {}) {
  const logger = recordingLogger();
  const auth = workspaceAuth({ usersFile, env: {}, secretKey: SECRET, watch: false, logger, ...options });
  closers.push(() => auth.close());
  const app = express();
  app.set('trust proxy', 'loopback');
  app.use(auth);
  app.get('/whoami', auth.authenticate, (req, res) => {
    res.json({ user: auth.userOf(req)?.username });
  });
  return { app, auth, logger };
}

type App = ReturnType<typeof makeApp>['app'];

function login(app: App, client: string, username: string, password: string) {
  return request(app).post('/api/security/token').set('X-Forwarded-For', client).send({ username, password });
}

function withKey(app: App, client: string, apiKey: string) {
  return request(app).get('/whoami').set('X-Forwarded-For', client).set('X-API-Key', apiKey);
}

function expectRefused(response: request.Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
}

describe('consecutive failed logins per username and client (default: 10 in 15 minutes)', () => {
  const { app } = makeApp();

  it('answers 401 to 10 wrong passwords, then 429 with Retry-After, without checking the password (a right one too)', async () => {
    for (let attempt = 0; attempt < 10; attempt++) expect((await login(app, '10.1.0.1', 'user0', 'wrong')).status).toBe(401);
    const wrong = await login(app, '10.1.0.1', 'user0', 'wrong');
    expectRefused(wrong, 429, 'too_many_login_attempts');
    expect(Number(wrong.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // The same answer to the right password: a blocked username tells a guesser nothing.
    const right = await login(app, '10.1.0.1', 'user0', PASSWORD);
    expectRefused(right, 429, 'too_many_login_attempts');
  });

  it('blocks no other client, and no other username of the client', async () => {
    for (let attempt = 0; attempt < 10; attempt++) await login(app, '10.1.0.2', 'user1', 'wrong');
    expect((await login(app, '10.1.0.2', 'user1', PASSWORD)).status).toBe(429);
    expect((await login(app, '10.1.0.3', 'user1', PASSWORD)).status).toBe(200);
    expect((await login(app, '10.1.0.2', 'user2', PASSWORD)).status).toBe(200);
    expect((await withKey(app, '10.1.0.2', 'user1-api-key-0123456789')).status).toBe(200);
  });

  it('starts again after a successful login: 9 failures, a success, 10 more failures before the 429', async () => {
    for (let attempt = 0; attempt < 9; attempt++) expect((await login(app, '10.1.0.4', 'user3', 'wrong')).status).toBe(401);
    expect((await login(app, '10.1.0.4', 'user3', PASSWORD)).status).toBe(200);
    for (let attempt = 0; attempt < 10; attempt++) expect((await login(app, '10.1.0.4', 'user3', 'wrong')).status).toBe(401);
    expect((await login(app, '10.1.0.4', 'user3', 'wrong')).status).toBe(429);
  });

  it('counts unknown usernames like known ones', async () => {
    for (let attempt = 0; attempt < 10; attempt++) expect((await login(app, '10.1.0.5', 'nobody', 'wrong')).status).toBe(401);
    expect((await login(app, '10.1.0.5', 'nobody', 'wrong')).status).toBe(429);
  });

  it('never counts a correct login, however many at once', async () => {
    const logins = await Promise.all(Array.from({ length: 30 }, () => login(app, '10.1.0.6', 'user4', PASSWORD)));
    expect(logins.filter((response) => response.status === 429)).toEqual([]);
    for (let attempt = 0; attempt < 10; attempt++) expect((await login(app, '10.1.0.6', 'user4', 'wrong')).status).toBe(401);
  });

  it('does not count a disabled user\'s right password (403): the credentials were right', async () => {
    for (let attempt = 0; attempt < 12; attempt++) expect((await login(app, '10.1.0.8', 'disabled0', PASSWORD)).status).toBe(403);
  });

  it('does not count missing or malformed fields', async () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      expect((await login(app, '10.1.0.7', 'user5', '')).status).toBe(400);
      expect((await request(app).post('/api/security/token').set('X-Forwarded-For', '10.1.0.7').send({ username: 'user5', password: ['x'] })).status).toBe(400);
    }
    expect((await login(app, '10.1.0.7', 'user5', PASSWORD)).status).toBe(200);
  });
});

describe('failed logins per client across usernames (default: 100 in 15 minutes)', () => {
  const { app } = makeApp();

  it('cuts off password spraying, 10 guesses at each of 11 usernames, from that client only', async () => {
    const statuses: number[] = [];
    for (const username of USERNAMES.slice(0, 11)) {
      for (let guess = 0; guess < 10; guess++) statuses.push((await login(app, '10.2.0.1', username, `guess-${guess}`)).status);
    }
    expect(statuses.slice(0, 100)).toEqual(Array(100).fill(401));
    expect(statuses.slice(100)).toEqual(Array(10).fill(429));
    const fresh = await login(app, '10.2.0.1', 'user11', PASSWORD);
    expectRefused(fresh, 429, 'too_many_failed_logins');
    expect((await login(app, '10.2.0.2', 'user11', PASSWORD)).status).toBe(200);
  });
});

describe('invalid API keys and tokens per client (default: 100 in 15 minutes)', () => {
  const { app } = makeApp();

  it('cuts off key guessing from that client, its valid keys and tokens included, and no other client', async () => {
    const token = (await login(app, '10.3.0.1', 'user0', PASSWORD)).body.access_token as string;
    for (let guess = 0; guess < 50; guess++) expect((await withKey(app, '10.3.0.1', `guess-${guess}`)).status).toBe(401);
    for (let guess = 0; guess < 50; guess++) {
      expect((await request(app).get('/whoami').set('X-Forwarded-For', '10.3.0.1').set('Authorization', `Bearer forged.${guess}`)).status).toBe(401);
    }
    // Counted in the background: the block holds from the next request on.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expectRefused(await withKey(app, '10.3.0.1', 'guess-100'), 429, 'too_many_failed_credentials');
    expectRefused(await withKey(app, '10.3.0.1', 'user0-api-key-0123456789'), 429, 'too_many_failed_credentials');
    expectRefused(await request(app).get('/whoami').set('X-Forwarded-For', '10.3.0.1').set('Authorization', `Bearer ${token}`), 429, 'too_many_failed_credentials');
    expect((await withKey(app, '10.3.0.2', 'user0-api-key-0123456789')).status).toBe(200);
    // Logins are limited apart: the client may still log in.
    expect((await login(app, '10.3.0.1', 'user0', PASSWORD)).status).toBe(200);
  });

  it('does not count requests without credentials or with conflicting keys', async () => {
    for (let attempt = 0; attempt < 110; attempt++) {
      await request(app).get('/whoami').set('X-Forwarded-For', '10.3.0.3');
      await request(app).get('/whoami').set('X-Forwarded-For', '10.3.0.3').set('X-API-Key', 'a').set('X-Argilla-Api-Key', 'b');
    }
    expect((await withKey(app, '10.3.0.3', 'user0-api-key-0123456789')).status).toBe(200);
  });

  it('does not count an access token given as the API key (the Argilla client sends it in the key headers and as Bearer)', async () => {
    const { app } = makeApp({ keyAndTokenRateLimit: { limit: 2 } });
    const token = (await login(app, '10.3.0.4', 'user0', PASSWORD)).body.access_token as string;
    const asApiKey = () => request(app).get('/whoami').set('X-Forwarded-For', '10.3.0.4').set('X-Argilla-Api-Key', token).set('Authorization', `Bearer ${token}`);
    for (let attempt = 0; attempt < 5; attempt++) expect((await asApiKey()).body).toEqual({ user: 'user0' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Two failures of that client still get through, so nothing was counted before them.
    expect((await withKey(app, '10.3.0.4', 'x')).status).toBe(401);
    expect((await withKey(app, '10.3.0.4', 'x')).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expectRefused(await withKey(app, '10.3.0.4', 'x'), 429, 'too_many_failed_credentials');
  });
});

describe('refused logins', () => {
  it('never count: 429s on a blocked username add nothing to the client\'s count across usernames', async () => {
    const { app } = makeApp({ loginRateLimit: { limit: 2, clientLimit: 4 } });
    expect((await login(app, '10.4.1.1', 'user0', 'x')).status).toBe(401);
    expect((await login(app, '10.4.1.1', 'user0', 'x')).status).toBe(401);
    for (let attempt = 0; attempt < 5; attempt++) expect((await login(app, '10.4.1.1', 'user0', 'x')).status).toBe(429);
    // 2 failures, not 7: the client may still log in as another user.
    expect((await login(app, '10.4.1.1', 'user1', PASSWORD)).status).toBe(200);
  });
});

describe('configured limits', () => {
  it('holds each at its own number', async () => {
    const { app } = makeApp({ loginRateLimit: { limit: 2, clientLimit: 3 }, keyAndTokenRateLimit: { limit: 2 } });
    expect((await login(app, '10.4.0.1', 'user0', 'x')).status).toBe(401);
    expect((await login(app, '10.4.0.1', 'user0', 'x')).status).toBe(401);
    expect((await login(app, '10.4.0.1', 'user0', 'x')).body.code).toBe('too_many_login_attempts');
    expect((await login(app, '10.4.0.1', 'user1', 'x')).status).toBe(401);
    expect((await login(app, '10.4.0.1', 'user2', 'x')).body.code).toBe('too_many_failed_logins');
    expect((await withKey(app, '10.4.0.1', 'x')).status).toBe(401);
    expect((await withKey(app, '10.4.0.1', 'x')).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await withKey(app, '10.4.0.1', 'x')).body.code).toBe('too_many_failed_credentials');
  });

  it('answers within the window it was given', async () => {
    const { app } = makeApp({ loginRateLimit: { limit: 1, windowMs: 60_000 } });
    expect((await login(app, '10.4.0.2', 'user0', 'x')).status).toBe(401);
    const limited = await login(app, '10.4.0.2', 'user0', 'x');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(50);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });
});

describe('the rate-limited event', () => {
  it('names the limit that refused: login (a username), login-client (across usernames), key-and-token', async () => {
    const { app, auth } = makeApp({ loginRateLimit: { limit: 1, clientLimit: 2 }, keyAndTokenRateLimit: { limit: 1 } });
    const kinds: string[] = [];
    auth.on('rate-limited', (event) => kinds.push(`${event.kind} ${event.ip}`));
    await login(app, '10.6.0.1', 'user0', 'x');
    await login(app, '10.6.0.1', 'user0', 'x');
    await login(app, '10.6.0.1', 'user1', 'x');
    await login(app, '10.6.0.1', 'user2', 'x');
    await withKey(app, '10.6.0.1', 'x');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await withKey(app, '10.6.0.1', 'x');
    expect(kinds).toEqual(['login 10.6.0.1', 'login-client 10.6.0.1', 'key-and-token 10.6.0.1']);
  });
});

describe('trust proxy', () => {
  it('warns once, at the first request, when the app believes every X-Forwarded-For', async () => {
    const logger = recordingLogger();
    const auth = workspaceAuth({ usersFile, env: {}, secretKey: SECRET, watch: false, logger });
    closers.push(() => auth.close());
    const app = express();
    app.use(auth);
    app.set('trust proxy', true);
    expect(logger.lines.filter((line) => line.includes('trust proxy'))).toEqual([]);
    await login(app, '10.5.0.1', 'user0', PASSWORD);
    await login(app, '10.5.0.2', 'user0', PASSWORD);
    expect(logger.lines.filter((line) => line.includes('trust proxy'))).toEqual([`warn: ${TRUST_PROXY_TRUE_WARNING}`]);
  });

  it('says nothing for a hop count', async () => {
    const { app, logger } = makeApp();
    await login(app, '10.5.0.3', 'user0', PASSWORD);
    expect(logger.lines.filter((line) => line.includes('trust proxy'))).toEqual([]);
  });
});

describe('a small failed-login limit (3), the same client and username', () => {
  const { app, auth } = makeFixtureApp({ loginRateLimit: { limit: 3, windowMs: 60_000 } });
  // Clients are told apart by address; behind this test's "proxy" the address comes from X-Forwarded-For.
  app.set('trust proxy', true);
  afterAll(() => auth.close());

  function loginAs(client: string, username: string, password: string) {
    return request(app).post('/api/security/token').set('X-Forwarded-For', client).send({ username, password });
  }

  it('answers 429 with Retry-After after the limit of failures for a username from a client, even to the right password', async () => {
    for (let attempt = 0; attempt < 3; attempt++) expect((await loginAs('10.0.0.1', 'user1', 'guess')).status).toBe(401);
    const locked = await loginAs('10.0.0.1', 'user1', USERS.user1.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body).toEqual({ code: 'too_many_login_attempts', message: expect.stringContaining('Retry-After'), detail: locked.body.message });
  });

  it('locks out no other username, no other client, and no API key', async () => {
    for (let attempt = 0; attempt < 4; attempt++) await loginAs('10.0.0.2', 'user2', 'guess');
    expect((await loginAs('10.0.0.2', 'user2', USERS.user2.password)).status).toBe(429);
    expect((await loginAs('10.0.0.2', 'user3', USERS.user3.password)).status).toBe(200);
    expect((await loginAs('10.0.0.3', 'user2', USERS.user2.password)).status).toBe(200);
    expect((await request(app).get('/api/me').set('X-Forwarded-For', '10.0.0.2').set('X-API-Key', USERS.user2.apiKey)).status).toBe(200);
  });

  it('counts unknown usernames like known ones', async () => {
    for (let attempt = 0; attempt < 3; attempt++) expect((await loginAs('10.0.0.4', 'nobody', 'guess')).status).toBe(401);
    expect((await loginAs('10.0.0.4', 'nobody', 'guess')).status).toBe(429);
  });

  it('does not count successful logins', async () => {
    for (let attempt = 0; attempt < 5; attempt++) expect((await loginAs('10.0.0.5', 'htuser', USERS.htuser.password)).status).toBe(200);
  });
});
