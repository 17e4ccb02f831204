import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { hashPassword, MemoryRevocationList, type RevocationList, type WorkspaceAuth, type WorkspaceAuthOptions } from '../../../lib/index';
import { entry, hashes, makeApp, recordingLogger, SECRET, tempDir, USERS } from '../../helpers';

jest.setTimeout(30_000);

const ALICE_KEY = 'alice-key-0123456789abcdef';
const alice = (fields: Record<string, string> = {}) => entry('alice', { api_key: `"${ALICE_KEY}"`, workspaces: '[]', ...fields });
const bob = () => entry('bob', { api_key: '"bob-key-0123456789abcdef"', workspaces: '[]' });
// alice's password under the default hash of entry(), and another hash with another password.
const ALICE_PASSWORD = hashes.passlib_2b_cost10.password;
const OTHER = hashes.passlib_2a_cost10;

async function tokenFrom(app: Express, username: string, password: string, prefix = '/api'): Promise<string> {
  const response = await request(app).post(`${prefix}/security/token`).send({ username, password });
  expect(response.status).toBe(200);
  return response.body.access_token as string;
}

const me = (app: Express, token: string) => request(app).get('/api/me').set('Authorization', `Bearer ${token}`);
const logout = (app: Express, authorization?: string, prefix = '/api') => {
  const call = request(app).post(`${prefix}/security/logout`);
  return authorization === undefined ? call : call.set('Authorization', authorization);
};

function expectInvalidToken(response: request.Response): void {
  expect(response.status).toBe(401);
  expect(response.headers['www-authenticate']).toBe('Bearer realm="express-workspace-auth", error="invalid_token"');
  expect(response.body.code).toBe('invalid_token');
}

describe('tokens bound to the credentials they were issued under', () => {
  let folder: ReturnType<typeof tempDir>;
  let file: string;
  let app: Express;
  let auth: WorkspaceAuth;

  beforeEach(() => {
    folder = tempDir();
    file = path.join(folder.dir, 'users.yml');
    writeFileSync(file, alice() + bob());
    ({ app, auth } = makeApp({ usersFile: file }));
  });

  afterEach(() => {
    auth.close();
    folder.remove();
  });

  async function saveAndReload(content: string): Promise<void> {
    writeFileSync(file, content);
    await auth.reload();
  }

  it('ends every token issued before a password change in the file; the new password gives a working one', async () => {
    const first = await tokenFrom(app, 'alice', ALICE_PASSWORD);
    const second = await tokenFrom(app, 'alice', ALICE_PASSWORD);
    expect((await me(app, first)).status).toBe(200);
    await saveAndReload(alice({ hashed_password: OTHER.hash }) + bob());
    expectInvalidToken(await me(app, first));
    expectInvalidToken(await me(app, second));
    expect((await me(app, await tokenFrom(app, 'alice', OTHER.password))).status).toBe(200);
  });

  it('ends them when the same password is hashed again (set-password with the same password)', async () => {
    const token = await tokenFrom(app, 'alice', ALICE_PASSWORD);
    await saveAndReload(alice({ hashed_password: await hashPassword(ALICE_PASSWORD, 4) }) + bob());
    expectInvalidToken(await me(app, token));
  });

  it('ends them when the user is removed, and they stay ended when the user comes back with another password', async () => {
    const token = await tokenFrom(app, 'alice', ALICE_PASSWORD);
    await saveAndReload(bob());
    expectInvalidToken(await me(app, token));
    await saveAndReload(alice({ hashed_password: OTHER.hash }) + bob());
    expectInvalidToken(await me(app, token));
  });

  it("leaves the other users' tokens alone", async () => {
    const bobs = await tokenFrom(app, 'bob', ALICE_PASSWORD);
    await saveAndReload(alice({ hashed_password: OTHER.hash }) + bob());
    expect((await me(app, bobs)).status).toBe(200);
  });

  it('survives a new API key: rotating the key does not end tokens', async () => {
    const token = await tokenFrom(app, 'alice', ALICE_PASSWORD);
    await saveAndReload(alice({ api_key: '"alice-new-key-0123456789abcdef"' }) + bob());
    expect((await me(app, token)).status).toBe(200);
  });

  it('survives a change of workspaces, email or full name, the new workspaces applying at once', async () => {
    const token = await tokenFrom(app, 'alice', ALICE_PASSWORD);
    await saveAndReload(alice({ workspaces: '[team]', email: 'alice@example.com', full_name: 'Alice' }) + bob());
    const response = await me(app, token);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ email: 'alice@example.com', workspaces: ['alice', 'team'] });
  });

  it("refuses a disabled user's logout with 403, as every other request of theirs", async () => {
    const token = await tokenFrom(app, 'alice', ALICE_PASSWORD);
    await saveAndReload(alice({ disabled: 'true' }) + bob());
    const response = await logout(app, `Bearer ${token}`);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('user_disabled');
  });

  it('refuses them with 403 while the user is disabled, and accepts them again once enabled', async () => {
    const token = await tokenFrom(app, 'alice', ALICE_PASSWORD);
    await saveAndReload(alice({ disabled: 'true' }) + bob());
    const refused = await me(app, token);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('user_disabled');
    await saveAndReload(alice() + bob());
    expect((await me(app, token)).status).toBe(200);
  });

  it('carries a tag of the credentials, never the hash or a piece of it', async () => {
    const token = await tokenFrom(app, 'alice', ALICE_PASSWORD);
    const payload = jwt.decode(token) as Record<string, unknown>;
    const text = JSON.stringify(payload);
    const hash = hashes.passlib_2b_cost10.hash;
    // The salt (22 characters after "$2b$10$") and the digest (the last 31).
    for (const piece of [hash, hash.slice(7, 29), hash.slice(29)]) expect(text).not.toContain(piece);
    expect(payload.cred).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('POST /api/security/logout', () => {
  const { app, auth } = makeApp({ loginRateLimit: { limit: 1000 } });
  afterAll(() => auth.close());

  it('answers 204 and refuses that token from then on, while the same user’s other token works', async () => {
    const loggedOut = await tokenFrom(app, 'user1', USERS.user1.password);
    const other = await tokenFrom(app, 'user1', USERS.user1.password);
    const response = await logout(app, `Bearer ${loggedOut}`);
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expectInvalidToken(await me(app, loggedOut));
    expectInvalidToken(await logout(app, `Bearer ${loggedOut}`));
    expect((await me(app, other)).status).toBe(200);
  });

  it.each([
    ['a forged token', `Bearer ${jwt.sign({}, 'some-other-secret-key-of-32-characters!!', { subject: 'user1', expiresIn: 600 })}`],
    ['an expired token', `Bearer ${jwt.sign({ exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, { subject: 'user1' })}`],
    ['garbage', 'Bearer not.a.token'],
    ['another scheme', 'Basic dXNlcjE6dXNlcjEtcHc='],
  ])('refuses %s with 401 invalid_token', async (_kind, authorization) => {
    expectInvalidToken(await logout(app, authorization));
  });

  it('refuses a request without credentials with 401 missing_credentials', async () => {
    const response = await logout(app);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="express-workspace-auth"');
    expect(response.body.code).toBe('missing_credentials');
  });

  it('refuses an API key sent as a Bearer token with 400: an API key cannot be logged out, and it keeps working', async () => {
    const response = await logout(app, `Bearer ${USERS.user1.apiKey}`);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: 'not_an_access_token', message: expect.stringContaining('rotate-key'), detail: response.body.message });
    expect((await me(app, USERS.user1.apiKey)).status).toBe(200);
  });

  it('is served under the configured apiPrefix', async () => {
    const prefixed = makeApp({ apiPrefix: '/auth/v1' });
    const token = await tokenFrom(prefixed.app, 'user2', USERS.user2.password, '/auth/v1');
    expect((await logout(prefixed.app, `Bearer ${token}`, '/auth/v1')).status).toBe(204);
    expectInvalidToken(await request(prefixed.app).get('/whoami').set('Authorization', `Bearer ${token}`));
    prefixed.auth.close();
  });
});

describe('logouts shared through a revocation list', () => {
  function twoInstances(revocationList: RevocationList, options: WorkspaceAuthOptions = {}) {
    const instances = [makeApp({ revocationList, ...options }), makeApp({ revocationList, ...options })] as const;
    afterAll(() => {
      for (const { auth } of instances) auth.close();
    });
    return instances;
  }

  describe('a store that answers', () => {
    const [one, two] = twoInstances(new MemoryRevocationList());

    it('refuses on every instance a token logged out on one', async () => {
      const token = await tokenFrom(one.app, 'user1', USERS.user1.password);
      expect((await me(two.app, token)).status).toBe(200);
      expect((await logout(one.app, `Bearer ${token}`)).status).toBe(204);
      expectInvalidToken(await me(two.app, token));
    });
  });

  /** A shared store as one across the network answers: later, with a Promise. */
  class SlowStore implements RevocationList {
    readonly ids = new Set<string>();
    async revoke(tokenId: string): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.ids.add(tokenId);
    }
    async isRevoked(tokenId: string): Promise<boolean> {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return this.ids.has(tokenId);
    }
  }

  describe('a store that answers with a Promise', () => {
    const store = new SlowStore();
    const [one, two] = twoInstances(store);

    it('waits for its answer: a token logged out on one instance is refused on the other, a live one accepted', async () => {
      const token = await tokenFrom(one.app, 'user1', USERS.user1.password);
      const other = await tokenFrom(one.app, 'user1', USERS.user1.password);
      expect((await logout(one.app, `Bearer ${token}`)).status).toBe(204);
      expect(store.ids.size).toBe(1);
      expectInvalidToken(await me(two.app, token));
      expect((await me(two.app, other)).status).toBe(200);
    });
  });

  describe('a store that fails', () => {
    const broken: RevocationList = {
      revoke: () => Promise.reject(new Error('connection refused')),
      isRevoked: () => Promise.reject(new Error('connection refused')),
    };
    const logger = recordingLogger();
    const [one, two] = twoInstances(broken, { logger });

    it('keeps tokens working and logouts answered, each instance refusing what was logged out on it; the failure is logged once per instance', async () => {
      const token = await tokenFrom(one.app, 'user1', USERS.user1.password);
      expect((await me(one.app, token)).status).toBe(200);
      expect((await logout(one.app, `Bearer ${token}`)).status).toBe(204);
      expectInvalidToken(await me(one.app, token));
      // The other instance could not be told.
      expect((await me(two.app, token)).status).toBe(200);
      expect((await me(two.app, token)).status).toBe(200);
      const reports = logger.lines.filter((line) => line.includes('shared revocation list failed'));
      // One report from each instance, not one per request.
      expect(reports).toEqual([expect.stringContaining('(connection refused)'), expect.stringContaining('(connection refused)')]);
    });
  });
});

describe('claims', () => {
  const { app, auth } = makeApp({ loginRateLimit: { limit: 1000 } });
  afterAll(() => auth.close());

  let token: string;
  let header: jwt.JwtHeader;
  let payload: jwt.JwtPayload;
  beforeAll(async () => {
    token = await tokenFrom(app, 'user1', USERS.user1.password);
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw new Error('not a JWT');
    ({ header, payload } = decoded);
  });

  /**
   * The token re-signed with our key after a change to its claims: only the change can make it fail.
   * Signed by hand, as any other service could: jsonwebtoken refuses to sign some of these claims.
   */
  function resigned(change: (claims: jwt.JwtPayload) => void, headerChange: Partial<jwt.JwtHeader> = {}): string {
    const claims = { ...payload };
    change(claims);
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const signingInput = `${encode({ ...header, ...headerChange })}.${encode(claims)}`;
    return `${signingInput}.${createHmac('sha256', SECRET).update(signingInput).digest('base64url')}`;
  }

  it('sets iss, aud, exp, sub, a random 128-bit jti and the key id', async () => {
    expect(payload).toEqual({
      iss: 'express-workspace-auth',
      aud: 'express-workspace-auth',
      sub: 'user1',
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      cred: expect.any(String),
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: expect.stringMatching(/^[A-Za-z0-9_-]{11}$/) });
    const again = jwt.decode(await tokenFrom(app, 'user1', USERS.user1.password)) as jwt.JwtPayload;
    expect(again.jti).not.toBe(payload.jti);
  });

  it('accepts the token re-signed unchanged (so each refusal below is the change alone)', async () => {
    expect((await me(app, resigned(() => undefined))).status).toBe(200);
  });

  it('refuses a bare {sub, exp} signed with our key, as Argilla issues them', async () => {
    const bare = jwt.sign({ sub: 'user1', exp: Math.floor(Date.now() / 1000) + 600 }, SECRET, { algorithm: 'HS256' });
    expectInvalidToken(await me(app, bare));
    const bareWithKeyId = jwt.sign({ sub: 'user1', exp: Math.floor(Date.now() / 1000) + 600 }, SECRET, { algorithm: 'HS256', keyid: header.kid });
    expectInvalidToken(await me(app, bareWithKeyId));
  });

  it.each(['iss', 'aud', 'exp', 'sub', 'jti', 'cred'])('refuses the token without %s, signed with our key', async (claim) => {
    expectInvalidToken(
      await me(
        app,
        resigned((claims) => {
          delete claims[claim];
        }),
      ),
    );
  });

  it.each([
    ['another issuer', { iss: 'argilla' }],
    ['another audience', { aud: 'another-app' }],
    ['an exp that is not a number', { exp: String(Math.floor(Date.now() / 1000) + 600) }],
    ['a malformed jti', { jti: 'x' }],
    ['the credential tag of another user', { sub: 'user2' }],
  ])('refuses a token with %s, signed with our key', async (_kind, change) => {
    expectInvalidToken(await me(app, resigned((claims) => Object.assign(claims, change))));
  });

  it('refuses a token without a key id, or naming a key it does not know', async () => {
    const withoutKeyId = jwt.sign({ ...payload }, SECRET, { algorithm: 'HS256' });
    expectInvalidToken(await me(app, withoutKeyId));
    expectInvalidToken(await me(app, resigned(() => undefined, { kid: 'unknown-key' })));
  });

  it('uses the realm as the audience: an app with another realm and the same key refuses the token', async () => {
    const other = makeApp({ realm: 'another-app' });
    const response = await me(other.app, token);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_token');
    const own = jwt.decode(await tokenFrom(other.app, 'user1', USERS.user1.password)) as jwt.JwtPayload;
    expect(own.aud).toBe('another-app');
    other.auth.close();
  });
});

describe('signing key rotation', () => {
  const OLD = 'the-old-signing-key-of-at-least-32-bytes';
  const NEW = 'the-new-signing-key-of-at-least-32-bytes';
  const before = makeApp({ secretKey: OLD });
  const after = makeApp({ secretKey: NEW, previousSecretKeys: [OLD] });
  const withoutOld = makeApp({ secretKey: NEW });
  afterAll(() => {
    for (const { auth } of [before, after, withoutOld]) auth.close();
  });

  it('accepts tokens signed with a listed previous key until they expire', async () => {
    const old = await tokenFrom(before.app, 'user1', USERS.user1.password);
    expect((await me(after.app, old)).status).toBe(200);
  });

  it('signs new tokens with the current key only', async () => {
    const old = await tokenFrom(before.app, 'user1', USERS.user1.password);
    const fresh = await tokenFrom(after.app, 'user1', USERS.user1.password);
    expect(jwt.decode(fresh, { complete: true })?.header.kid).not.toBe(jwt.decode(old, { complete: true })?.header.kid);
    // The signature is the HMAC of the new key, not of the old one.
    expect(() => jwt.verify(fresh, NEW, { algorithms: ['HS256'] })).not.toThrow();
    expect(() => jwt.verify(fresh, OLD, { algorithms: ['HS256'] })).toThrow('invalid signature');
    expect((await me(after.app, fresh)).status).toBe(200);
    expectInvalidToken(await me(before.app, fresh));
  });

  it('ends the old tokens when the old key is not listed', async () => {
    const old = await tokenFrom(before.app, 'user1', USERS.user1.password);
    expectInvalidToken(await me(withoutOld.app, old));
  });
});
