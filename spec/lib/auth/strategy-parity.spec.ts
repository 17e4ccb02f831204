// auth.authenticate calls the strategies' verify functions without Passport's per-request
// machinery. Its decisions must stay the strategies' own: one table of credentials, run through
// passport.authenticate with our strategies and through auth.authenticate, same outcome each.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { REFUSALS, type RefusalCode, type WorkspaceAuth, type WorkspaceUser } from '../../../lib/index';
import { entry, hashes, makeApp, SECRET, tempDir } from '../../helpers';

const folder = tempDir();
const file = path.join(folder.dir, 'users.yml');
const ALICE_KEY = 'alice-key-0123456789abcdef';
const REMOVED_KEY = 'removed-key-0123456789abcdef';
const base = entry('alice', { api_key: `"${ALICE_KEY}"`, workspaces: '[]' }) + entry('sleepy', { api_key: '"sleepy-key-0123456789abcdef"', disabled: 'true' });
writeFileSync(file, base + entry('gone', { api_key: `"${REMOVED_KEY}"` }));
const { app, auth } = makeApp({ usersFile: file });

/** The app an app would write with our strategies and Passport alone. */
function passportApp(plugin: WorkspaceAuth): Express {
  const plain = express();
  plain.get('/:strategy', (req, res, next) => {
    const strategy = req.params.strategy as string;
    plugin.passport.authenticate(strategy, { session: false }, (error: unknown, user: WorkspaceUser | false, info?: { code?: RefusalCode }) => {
      if (error) return next(error);
      if (user) return res.json({ username: user.username });
      // A strategy that fails before its verify runs gives no info: the kind's own refusal.
      const code = info?.code ?? (strategy === 'workspace-bearer' ? 'invalid_token' : 'invalid_api_key');
      res.status(REFUSALS[code].status).json({ code });
    })(req, res, next);
  });
  return plain;
}

type Outcome = { status: number; username?: string; code?: string };
const outcome = (response: request.Response): Outcome =>
  response.status === 200 ? { status: 200, username: response.body.user } : { status: response.status, code: response.body.code };
const passportOutcome = (response: request.Response): Outcome =>
  response.status === 200 ? { status: 200, username: response.body.username } : { status: response.status, code: response.body.code };

const cases: Array<{ name: string; headers: () => Record<string, string>; strategy: string; expected: Outcome }> = [];
let tokens: { valid: string; expired: string; forged: string; loggedOut: string; beforePasswordChange: string };

beforeAll(async () => {
  const login = async () => (await request(app).post('/api/security/token').send({ username: 'alice', password: hashes.passlib_2b_cost10.password })).body.access_token as string;
  const valid = await login();
  const loggedOut = await login();
  expect((await request(app).post('/api/security/logout').set('Authorization', `Bearer ${loggedOut}`)).status).toBe(204);
  const beforePasswordChange = await login();
  const decoded = jwt.decode(valid, { complete: true });
  const payload = decoded?.payload as Record<string, unknown>;
  const expired = jwt.sign({ ...payload, exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, { algorithm: 'HS256', keyid: decoded?.header.kid as string });
  const forged = jwt.sign({ ...payload }, 'another-secret-key-of-at-least-32-chars', { algorithm: 'HS256', keyid: decoded?.header.kid as string });
  // alice gets another hash (another password): the tokens issued before end. Then the removed user goes.
  writeFileSync(file, base.replace(hashes.passlib_2b_cost10.hash, hashes.passlib_2a_cost10.hash));
  await auth.reload();
  tokens = { valid: await loginAs2a(), expired, forged, loggedOut, beforePasswordChange };
});
afterAll(() => {
  auth.close();
  folder.remove();
});
async function loginAs2a(): Promise<string> {
  const response = await request(app).post('/api/security/token').send({ username: 'alice', password: hashes.passlib_2a_cost10.password });
  expect(response.status).toBe(200);
  return response.body.access_token as string;
}

const apiKey = (key: string, header = 'X-API-Key') => () => ({ [header]: key });
const bearer = (which: keyof typeof tokens) => () => ({ Authorization: `Bearer ${tokens[which]}` });
const API = 'workspace-apikey-x-api-key';
const BEARER = 'workspace-bearer';
cases.push(
  { name: 'a valid API key', headers: apiKey(ALICE_KEY), strategy: API, expected: { status: 200, username: 'alice' } },
  { name: 'an unknown API key', headers: apiKey('nobody-has-this-key-0123'), strategy: API, expected: { status: 401, code: 'invalid_api_key' } },
  { name: "a disabled user's key", headers: apiKey('sleepy-key-0123456789abcdef'), strategy: API, expected: { status: 403, code: 'user_disabled' } },
  { name: "a removed user's key", headers: apiKey(REMOVED_KEY), strategy: API, expected: { status: 401, code: 'invalid_api_key' } },
  { name: 'an empty API-key header', headers: apiKey(''), strategy: API, expected: { status: 401, code: 'invalid_api_key' } },
  { name: 'a 2,000-character API key', headers: apiKey('k'.repeat(2000)), strategy: API, expected: { status: 401, code: 'invalid_api_key' } },
  { name: 'a valid token', headers: bearer('valid'), strategy: BEARER, expected: { status: 200, username: 'alice' } },
  { name: 'an expired token', headers: bearer('expired'), strategy: BEARER, expected: { status: 401, code: 'invalid_token' } },
  { name: 'a forged token', headers: bearer('forged'), strategy: BEARER, expected: { status: 401, code: 'invalid_token' } },
  { name: 'a logged-out token', headers: bearer('loggedOut'), strategy: BEARER, expected: { status: 401, code: 'invalid_token' } },
  { name: 'a token from before a password change', headers: bearer('beforePasswordChange'), strategy: BEARER, expected: { status: 401, code: 'invalid_token' } },
  { name: 'a Basic header', headers: () => ({ Authorization: 'Basic YWxpY2U6cHc=' }), strategy: BEARER, expected: { status: 401, code: 'invalid_token' } },
  { name: 'an API key as Bearer token', headers: () => ({ Authorization: `Bearer ${ALICE_KEY}` }), strategy: BEARER, expected: { status: 200, username: 'alice' } },
  {
    name: "the Argilla client's headers (its key in X-Argilla-Api-Key and as Bearer)",
    headers: () => ({ 'X-Argilla-Api-Key': ALICE_KEY, Authorization: `Bearer ${ALICE_KEY}` }),
    strategy: 'workspace-apikey-x-argilla-api-key',
    expected: { status: 200, username: 'alice' },
  },
  {
    name: 'both headers: a valid key wins over a token',
    headers: () => ({ 'X-API-Key': ALICE_KEY, Authorization: `Bearer ${tokens.forged}` }),
    strategy: API,
    expected: { status: 200, username: 'alice' },
  },
  // A token given as the API key (SPEC §3 "both present"): when no key header matches a user,
  // a valid access token in Authorization authenticates, as Argilla does.
  {
    name: "an access token as the Argilla client's api_key (in X-Argilla-Api-Key, X-Rubrix-Api-Key and as Bearer)",
    headers: () => ({ 'X-Argilla-Api-Key': tokens.valid, 'X-Rubrix-Api-Key': tokens.valid, Authorization: `Bearer ${tokens.valid}` }),
    strategy: 'workspace-apikey-x-argilla-api-key',
    expected: { status: 200, username: 'alice' },
  },
  {
    name: "an access token as the Rubrix client's api_key (in X-Rubrix-Api-Key and as Bearer)",
    headers: () => ({ 'X-Rubrix-Api-Key': tokens.valid, Authorization: `Bearer ${tokens.valid}` }),
    strategy: 'workspace-apikey-x-rubrix-api-key',
    expected: { status: 200, username: 'alice' },
  },
  {
    name: 'both headers: an unknown key beside a valid token lets the token authenticate',
    headers: () => ({ 'X-API-Key': 'nobody-has-this-key-0123', Authorization: `Bearer ${tokens.valid}` }),
    strategy: API,
    expected: { status: 200, username: 'alice' },
  },
  {
    name: 'an access token in the key header alone, without its Bearer copy',
    headers: () => ({ 'X-Argilla-Api-Key': tokens.valid }),
    strategy: 'workspace-apikey-x-argilla-api-key',
    expected: { status: 401, code: 'invalid_api_key' },
  },
  ...(['expired', 'forged', 'loggedOut', 'beforePasswordChange'] as const).map((which) => ({
    name: `an ${which} token as the API key: the key's refusal stands`,
    headers: () => ({ 'X-Argilla-Api-Key': tokens[which], Authorization: `Bearer ${tokens[which]}` }),
    strategy: 'workspace-apikey-x-argilla-api-key',
    expected: { status: 401, code: 'invalid_api_key' },
  })),
  {
    name: 'an unknown key beside an API key as Bearer: only an access token is taken after an unknown key',
    headers: () => ({ 'X-API-Key': 'nobody-has-this-key-0123', Authorization: `Bearer ${ALICE_KEY}` }),
    strategy: API,
    expected: { status: 401, code: 'invalid_api_key' },
  },
  {
    name: "a disabled user's key beside a valid token: a key that matches a user is final",
    headers: () => ({ 'X-API-Key': 'sleepy-key-0123456789abcdef', Authorization: `Bearer ${tokens.valid}` }),
    strategy: API,
    expected: { status: 403, code: 'user_disabled' },
  },
);

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, { headers, strategy, expected }) => {
  it('gets the same outcome from passport.authenticate and from auth.authenticate', async () => {
    const viaPassport = passportOutcome(await request(passportApp(auth)).get(`/${strategy}`).set(headers()));
    const viaPlugin = outcome(await request(app).get('/whoami').set(headers()));
    expect(viaPlugin).toEqual(expected);
    expect(viaPassport).toEqual(expected);
  });
});

it('refuses different keys in two headers before any strategy runs', async () => {
  const response = await request(app).get('/whoami').set({ 'X-API-Key': ALICE_KEY, 'X-Rubrix-Api-Key': 'another-key-0123456789ab' });
  expect(outcome(response)).toEqual({ status: 401, code: 'conflicting_credentials' });
});

it('still refuses two different valid credentials in two key headers, a key and an access token', async () => {
  const response = await request(app)
    .get('/whoami')
    .set({ 'X-API-Key': ALICE_KEY, 'X-Argilla-Api-Key': tokens.valid, Authorization: `Bearer ${tokens.valid}` });
  expect(outcome(response)).toEqual({ status: 401, code: 'conflicting_credentials' });
});
