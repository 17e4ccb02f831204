// Auth events and status(): what an operator's log pipeline and health check read.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { AuthEvents } from '../../../lib/index';
import { entry, hashes, makeApp, tempDir, USERS, USERS_FILE } from '../../helpers';

type Recorded = { [Name in keyof AuthEvents]: { name: Name; payload: AuthEvents[Name][0] } }[keyof AuthEvents];

const { app, auth } = makeApp({ loginRateLimit: { limit: 2 } });
afterAll(() => auth.close());
const recorded: Recorded[] = [];
const recordAs = (name: Recorded['name']) => (payload: object) => {
  recorded.push({ name, payload } as Recorded);
};
auth.on('login', recordAs('login'));
auth.on('login-failed', recordAs('login-failed'));
auth.on('rate-limited', recordAs('rate-limited'));
auth.on('refused', recordAs('refused'));
beforeEach(() => {
  recorded.length = 0;
});

/**
 * Every secret of the fixture users, and the hashes of the file: none may appear in any payload.
 * ('1234' and 'password', two fixture passwords, are left out: they stand in ordinary words such as "wrong_password".)
 */
const SECRETS = [...Object.values(USERS).flatMap((user) => [user.password, user.apiKey]), ...Object.values(hashes).map((made) => made.hash)].filter(
  (secret) => secret !== '1234' && secret !== 'password',
);
function expectNoSecret(): void {
  const text = JSON.stringify(recorded);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no JWT
}

it('login: the username and the client, never the password or the token', async () => {
  const response = await request(app).post('/api/security/token').send({ username: 'user1', password: USERS.user1.password });
  expect(response.status).toBe(200);
  expect(recorded).toEqual([{ name: 'login', payload: { username: 'user1', ip: expect.any(String) } }]);
  expect(JSON.stringify(recorded)).not.toContain(response.body.access_token);
  expectNoSecret();
});

it('login-failed: a wrong password names the user; an unknown user is not named (it may be a password typed in the wrong field)', async () => {
  await request(app).post('/api/security/token').send({ username: 'user2', password: 'user1-pw' });
  await request(app).post('/api/security/token').send({ username: 'user2-pw', password: 'user2' });
  const failures = recorded.filter((event) => event.name === 'login-failed').map((event) => event.payload);
  expect(failures).toEqual([
    { username: 'user2', ip: expect.any(String), reason: 'wrong_password' },
    { ip: expect.any(String), reason: 'unknown_user' },
  ]);
  expectNoSecret();
});

it('login-failed for a disabled user, and refused for every refusal with its code and status', async () => {
  await request(app).post('/api/security/token').send({ username: 'sleepy', password: USERS.sleepy.password });
  expect(recorded).toContainEqual({ name: 'login-failed', payload: { username: 'sleepy', ip: expect.any(String), reason: 'user_disabled' } });
  expect(recorded).toContainEqual({
    name: 'refused',
    payload: { code: 'user_disabled', status: 403, ip: expect.any(String), method: 'POST', path: '/api/security/token' },
  });
});

it('refused: a forbidden workspace names the user and the workspace; the query string is left out', async () => {
  const response = await request(app).get('/ws?workspace=user2&secret=x').set('X-API-Key', USERS.user1.apiKey);
  expect(response.status).toBe(403);
  expect(recorded).toEqual([
    {
      name: 'refused',
      payload: { code: 'workspace_forbidden', status: 403, username: 'user1', workspace: 'user2', ip: expect.any(String), method: 'GET', path: '/ws' },
    },
  ]);
  expectNoSecret();
});

it('refused: an unknown API key, without the key', async () => {
  await request(app).get('/ws').set('X-API-Key', 'not-a-key-of-anyone');
  expect(recorded).toEqual([{ name: 'refused', payload: expect.objectContaining({ code: 'invalid_api_key', status: 401 }) }]);
  expect(JSON.stringify(recorded)).not.toContain('not-a-key-of-anyone');
});

it('rate-limited: the kind and the client', async () => {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await request(app).post('/api/security/token').send({ username: 'htuser', password: 'wrong' });
  }
  expect(recorded).toContainEqual({ name: 'rate-limited', payload: { kind: 'login', ip: expect.any(String) } });
});

it('a listener that throws is logged, and the request is still answered', async () => {
  const throwing = () => {
    throw new Error('listener bug');
  };
  auth.on('refused', throwing);
  try {
    const response = await request(app).get('/ws');
    expect(response.status).toBe(401);
  } finally {
    auth.off('refused', throwing);
  }
});

describe('status()', () => {
  it('reports the users in force, their source and when they were loaded', () => {
    const status = auth.status();
    expect(status).toEqual({ users: 6, source: USERS_FILE, defaultUserInForce: false, loadedAt: expect.any(Date), lastRefusedReload: null });
  });

  it('reports the default user, and the last refused reload with its report', async () => {
    const { dir, remove } = tempDir();
    const { auth: defaultAuth } = makeApp({ usersFile: undefined, cwd: dir });
    try {
      expect(defaultAuth.status()).toMatchObject({ users: 1, source: 'default user', defaultUserInForce: true });
    } finally {
      defaultAuth.close();
    }
    const file = path.join(dir, 'users.yml');
    writeFileSync(file, entry('jane'));
    const { auth: fileAuth } = makeApp({ usersFile: file });
    try {
      const loadedAt = fileAuth.status().loadedAt;
      writeFileSync(file, '- username: Jane\n');
      await expect(fileAuth.reload()).rejects.toThrow();
      const status = fileAuth.status();
      expect(status).toMatchObject({ users: 1, source: file, defaultUserInForce: false, loadedAt });
      expect(status.lastRefusedReload?.report).toContain('entry 1');
    } finally {
      fileAuth.close();
      remove();
    }
  });
});
