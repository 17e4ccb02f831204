import jwt from 'jsonwebtoken';
import passport from 'passport';
import request from 'supertest';
import { createTokenService } from '../../../lib/auth/tokens';
import { makeApp, SECRET, USERS } from '../../helpers';

const { app, auth } = makeApp({ loginRateLimit: { limit: 1000 } });
afterAll(() => auth.close());

async function login(username: string, password: string) {
  return request(app).post('/api/security/token').type('form').send({ username, password });
}

async function tokenOf(username: keyof typeof USERS): Promise<string> {
  const response = await login(username, USERS[username].password);
  expect(response.status).toBe(200);
  return response.body.access_token as string;
}

/** What a client sees of a response, without the parts that change every time or count per username. */
function visible(response: request.Response) {
  const { date: _date, etag: _etag, ratelimit: _count, 'ratelimit-policy': _policy, ...headers } = response.headers;
  return { status: response.status, headers, body: response.body as unknown };
}

describe('POST /api/security/token', () => {
  it('logs in with a form-encoded body and answers a bearer JWT', async () => {
    const response = await login('user1', USERS.user1.password);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({ access_token: expect.any(String), token_type: 'bearer' });
    const decoded = jwt.decode(response.body.access_token, { complete: true });
    expect(decoded?.header.alg).toBe('HS256');
    expect(decoded?.payload).toMatchObject({ sub: 'user1' });
  });

  it('logs in with a JSON body', async () => {
    const response = await request(app).post('/api/security/token').send({ username: 'user2', password: USERS.user2.password });
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('bearer');
  });

  it.each([
    ['user1', 'passlib $2b$'],
    ['user2', 'passlib $2a$'],
    ['user3', 'passlib $2y$'],
    ['htuser', 'htpasswd -nbB $2y$'],
    ['constructor', "the seed's passlib CryptContext, cost 12"],
  ] as const)('logs in %s, whose hash was made by %s', async (username, _madeBy) => {
    expect((await login(username, USERS[username].password)).status).toBe(200);
  });

  it('gives tokens the configured lifetime: 30000 minutes by default', async () => {
    const payload = jwt.decode(await tokenOf('user1')) as jwt.JwtPayload;
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(30000 * 60);
    const short = makeApp({ tokenExpirationMinutes: 5 });
    const response = await request(short.app).post('/api/security/token').send({ username: 'user1', password: USERS.user1.password });
    const shortPayload = jwt.decode(response.body.access_token) as jwt.JwtPayload;
    expect((shortPayload.exp ?? 0) - (shortPayload.iat ?? 0)).toBe(5 * 60);
    short.auth.close();
  });

  it('never reads credentials from the query string', async () => {
    const response = await request(app).post(`/api/security/token?username=user1&password=${USERS.user1.password}`);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('missing_login_fields');
    const mixed = await request(app)
      .post(`/api/security/token?password=${USERS.user1.password}`)
      .type('form')
      .send({ username: 'user1' });
    expect(mixed.status).toBe(400);
  });

  it('answers 400 with how to log in when a field is missing', async () => {
    const response = await request(app).post('/api/security/token').send({ username: 'user1' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: 'missing_login_fields', message: expect.stringContaining('"username" and "password"'), detail: response.body.message });
  });

  // passport-local takes a list or an object for a missing field; a number or a long string reaches our checks.
  it.each([
    ['a list', { username: ['user1'], password: USERS.user1.password }, 'missing_login_fields'],
    ['an object', { username: 'user1', password: { $ne: '' } }, 'missing_login_fields'],
    ['a number', { username: 'user1', password: 1234 }, 'invalid_login_fields'],
    ['5000 characters', { username: 'user1', password: 'x'.repeat(5000) }, 'invalid_login_fields'],
  ])('answers 400 to a login field that is %s', async (_kind, body, code) => {
    const response = await request(app).post('/api/security/token').send(body);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe(code);
  });

  it('answers a wrong password with 401 and a challenge', async () => {
    const response = await login('user1', 'not-the-password');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="express-workspace-auth"');
    expect(response.body).toEqual({ code: 'invalid_credentials', message: 'Wrong username or password.', detail: response.body.message });
  });

  it('answers an unknown user exactly as a wrong password', async () => {
    expect(visible(await login('nobody', 'not-the-password'))).toEqual(visible(await login('user1', 'not-the-password')));
  });

  it('refuses a disabled user with 403 once the password is right, and 401 when it is wrong', async () => {
    const right = await login('sleepy', USERS.sleepy.password);
    expect(right.status).toBe(403);
    expect(right.body.code).toBe('user_disabled');
    expect((await login('sleepy', 'wrong')).status).toBe(401);
  });

  it('answers malformed JSON with a JSON 400, and a huge body with a JSON 413', async () => {
    const malformed = await request(app).post('/api/security/token').set('Content-Type', 'application/json').send('{"username": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('invalid_request');
    const huge = await request(app).post('/api/security/token').send({ username: 'user1', password: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('payload_too_large');
  });
});

describe('API keys', () => {
  it.each(['X-API-Key', 'X-Argilla-Api-Key', 'X-Rubrix-Api-Key'])('authenticate in %s', async (header) => {
    const response = await request(app).get('/api/me').set(header, USERS.user2.apiKey);
    expect(response.status).toBe(200);
    expect(response.body.username).toBe('user2');
  });

  it('authenticate as a Bearer token too', async () => {
    const response = await request(app).get('/api/me').set('Authorization', `Bearer ${USERS.user1.apiKey}`);
    expect(response.body.username).toBe('user1');
  });

  it("work with the Argilla client's header set: the key in X-Argilla-Api-Key and as a Bearer token", async () => {
    const response = await request(app)
      .get('/api/me')
      .set('X-Argilla-Api-Key', USERS.user3.apiKey)
      .set('Authorization', `Bearer ${USERS.user3.apiKey}`);
    expect(response.status).toBe(200);
    expect(response.body.username).toBe('user3');
  });

  it('win over a Bearer token of another user', async () => {
    const response = await request(app)
      .get('/api/me')
      .set('X-API-Key', USERS.user1.apiKey)
      .set('Authorization', `Bearer ${await tokenOf('user2')}`);
    expect(response.body.username).toBe('user1');
  });

  it('refuses an unknown key with 401 and a challenge, even beside an API key as Bearer', async () => {
    const alone = await request(app).get('/api/me').set('X-API-Key', 'not-a-key');
    expect(alone.status).toBe(401);
    expect(alone.headers['www-authenticate']).toContain('Bearer realm=');
    expect(alone.body.code).toBe('invalid_api_key');
    const beside = await request(app).get('/api/me').set('X-API-Key', 'not-a-key').set('Authorization', `Bearer ${USERS.user1.apiKey}`);
    expect(beside.status).toBe(401);
  });

  it('let a valid access token authenticate beside a key that matches no user (an access token given as the Argilla api_key)', async () => {
    const token = await tokenOf('user1');
    const response = await request(app).get('/api/me').set('X-Argilla-Api-Key', token).set('X-Rubrix-Api-Key', token).set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(response.body.username).toBe('user1');
  });

  it('refuses two different keys in two headers as ambiguous', async () => {
    const response = await request(app).get('/api/me').set('X-API-Key', USERS.user1.apiKey).set('X-Rubrix-Api-Key', USERS.user2.apiKey);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('conflicting_credentials');
  });

  it('refuses a disabled user with 403', async () => {
    const response = await request(app).get('/api/me').set('X-API-Key', USERS.sleepy.apiKey);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('user_disabled');
  });

  it('are never read from the query string', async () => {
    const response = await request(app).get(`/api/me?api_key=${USERS.user1.apiKey}&access_token=${USERS.user1.apiKey}`);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('missing_credentials');
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('find no user for the key %j', async (key) => {
    expect((await request(app).get('/api/me').set('X-API-Key', key)).status).toBe(401);
  });

  it('answers a 10 KB key with 401', async () => {
    const response = await request(app).get('/api/me').set('X-API-Key', 'k'.repeat(10_000));
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_api_key');
  });

  it('answers headers beyond the server limit with 431, and the server goes on', async () => {
    const response = await request(app).get('/api/me').set('X-API-Key', 'k'.repeat(20_000));
    expect(response.status).toBe(431);
    expect((await request(app).get('/api/me').set('X-API-Key', USERS.user1.apiKey)).status).toBe(200);
  });
});

describe('access tokens', () => {
  it('authenticate as Authorization: Bearer', async () => {
    const response = await request(app).get('/api/me').set('Authorization', `Bearer ${await tokenOf('htuser')}`);
    expect(response.status).toBe(200);
    expect(response.body.username).toBe('htuser');
  });

  it('accept the scheme in any case', async () => {
    const response = await request(app).get('/api/me').set('Authorization', `bearer ${await tokenOf('user1')}`);
    expect(response.status).toBe(200);
  });

  const refusedTokens: Array<[string, () => Promise<string>]> = [
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await tokenOf('user1')).split('.');
        const payload = Buffer.from(JSON.stringify({ sub: 'user3', exp: 9999999999 })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      'alg: none',
      async () => {
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        const payload = Buffer.from(JSON.stringify({ sub: 'user3', exp: 9999999999 })).toString('base64url');
        return `${header}.${payload}.`;
      },
    ],
    ['another key', async () => jwt.sign({}, 'some-other-secret-key-of-32-characters!!', { subject: 'user3', expiresIn: 600 })],
    ['an expired token', async () => jwt.sign({ exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, { subject: 'user1' })],
    ['a user not in the file', async () => jwt.sign({}, SECRET, { subject: 'ghost', expiresIn: 600 })],
    ['a token without a subject', async () => jwt.sign({ name: 'user1' }, SECRET, { expiresIn: 600 })],
    ['HS512 with the right key', async () => jwt.sign({}, SECRET, { subject: 'user1', expiresIn: 600, algorithm: 'HS512' })],
    ['garbage', async () => 'not.a.token'],
    ['a 10 KB token', async () => 'a'.repeat(10_000)],
  ];
  it.each(refusedTokens)('refuses %s with 401 invalid_token', async (_kind, makeToken) => {
    const response = await request(app).get('/api/me').set('Authorization', `Bearer ${await makeToken()}`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="express-workspace-auth", error="invalid_token"');
    expect(response.body.code).toBe('invalid_token');
  });

  it('refuses the token of a disabled user with 403', async () => {
    // A token the plugin would have issued before the user was disabled.
    const sleepy = auth.users().findByUsername('sleepy');
    if (!sleepy) throw new Error('the fixture has no user sleepy');
    const token = createTokenService({ secretKey: SECRET, previousSecretKeys: [], expirationMinutes: 10, audience: 'express-workspace-auth' }).issue(sleepy);
    const response = await request(app).get('/api/me').set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('user_disabled');
  });

  it.each(['', 'Bearer', 'Bearer ', 'Basic dXNlcjE6dXNlcjEtcHc=', 'Bearer a b', 'Token abc'])('answers the Authorization value %j with 401', async (value) => {
    const response = await request(app).get('/api/me').set('Authorization', value);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBeDefined();
  });
});

describe('GET /api/me', () => {
  it('answers 401 with a challenge and how to authenticate when there are no credentials', async () => {
    const response = await request(app).get('/api/me');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="express-workspace-auth"');
    expect(response.body).toEqual({ code: 'missing_credentials', message: expect.stringContaining('X-API-Key'), detail: response.body.message });
  });

  it('shows the user without secrets, with the workspaces they may access', async () => {
    const response = await request(app).get('/api/me').set('X-API-Key', USERS.user2.apiKey);
    expect(response.body).toEqual({
      username: 'user2',
      email: 'user2@example.com',
      full_name: 'User Two',
      disabled: false,
      workspaces: ['client_projects', 'user2'],
      superuser: false,
    });
  });

  it('lists every known workspace for a super-user', async () => {
    const response = await request(app).get('/api/me').set('X-API-Key', USERS.user3.apiKey);
    expect(response.body).toMatchObject({ username: 'user3', full_name: 'User Three', superuser: true });
    expect(response.body.workspaces).toEqual(['client_projects', 'constructor', 'hasOwnProperty', 'htuser', 'sleepy', 'toString', 'user1', 'user2', 'user3']);
  });
});

describe('Passport', () => {
  it('registers on a private instance, leaving the global passport untouched', () => {
    const globalStrategies = Object.keys((passport as unknown as { _strategies: object })._strategies);
    expect(globalStrategies.filter((name) => name.startsWith('workspace-'))).toEqual([]);
    expect(auth.passport).not.toBe(passport);
  });

  it('registers on the instance it is given', () => {
    const own = new passport.Passport();
    const given = makeApp({ passport: own });
    expect(Object.keys((own as unknown as { _strategies: object })._strategies)).toEqual(
      expect.arrayContaining(['workspace-password', 'workspace-bearer', 'workspace-apikey-x-api-key']),
    );
    given.auth.close();
  });
});
