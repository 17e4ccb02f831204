// Runs in both jest projects: `express5`, and `express4`, where `express` is mapped to the
// express4 alias for this spec and for the plugin it loads (see jest.config.js).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express, { type Express } from 'express';
import request from 'supertest';
import { workspaceAuth, type WorkspaceAuth } from '../../../lib/index';
import hashes from '../../fixtures/hashes.json';

const expectedMajor = (globalThis as { EXPRESS_MAJOR?: number }).EXPRESS_MAJOR;
const API_KEY = 'compat-api-key-0123456789abcdef';

function loadedExpressMajor(): number {
  const manifest = path.join(path.dirname(require.resolve('express')), 'package.json');
  return Number((JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version.split('.')[0]);
}

let dir: string;
let auth: WorkspaceAuth;

function makeApp(configure: (app: Express) => void = () => undefined): Express {
  const app = express();
  configure(app);
  app.use(auth);
  const echo: express.RequestHandler = (req, res) => {
    res.json({ user: auth.userOf(req)?.username, workspace: req.workspace, workspaces: req.workspaces });
  };
  app.get('/api/data', auth.authenticate, auth.requireWorkspace(), echo);
  app.get('/api/workspaces/:workspace/data', auth.authenticate, auth.requireWorkspace(), echo);
  app.use(auth.errorHandler);
  return app;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ewa-compat-'));
  const usersFile = path.join(dir, 'users.yml');
  writeFileSync(
    usersFile,
    [
      '- username: user1',
      `  hashed_password: "${hashes.passlib_2b_cost10.hash}"`,
      `  api_key: ${API_KEY}`,
      '  workspaces: [team]',
    ].join('\n'),
  );
  auth = workspaceAuth({ usersFile, env: {}, secretKey: 'compat-secret-key-of-32-characters!!', watch: false, logger: { info() {}, warn() {}, error() {} } });
});

afterAll(() => {
  auth.close();
  rmSync(dir, { recursive: true, force: true });
});

it(`runs on the Express major of its jest project (${String(expectedMajor)})`, () => {
  expect(expectedMajor).toEqual(expect.any(Number));
  expect(loadedExpressMajor()).toBe(expectedMajor);
});

it('logs in with JSON and with a form, and the token opens /api/me', async () => {
  const app = makeApp();
  const json = await request(app).post('/api/security/token').send({ username: 'user1', password: hashes.passlib_2b_cost10.password });
  expect(json.status).toBe(200);
  expect(json.body).toEqual({ access_token: expect.any(String), token_type: 'bearer' });

  const form = await request(app).post('/api/security/token').type('form').send({ username: 'user1', password: hashes.passlib_2b_cost10.password });
  expect(form.status).toBe(200);

  const me = await request(app).get('/api/me').set('Authorization', `Bearer ${String(form.body.access_token)}`);
  expect(me.status).toBe(200);
  expect(me.body).toEqual({ username: 'user1', email: null, full_name: null, disabled: false, workspaces: ['team', 'user1'], superuser: false });
});

it('never reads login credentials from the query string', async () => {
  const response = await request(makeApp()).post(`/api/security/token?username=user1&password=${hashes.passlib_2b_cost10.password}`);
  expect(response.status).toBe(400);
  expect(response.body.code).toBe('missing_login_fields');
});

it('lets an API key into its workspaces through requireWorkspace, and no further', async () => {
  const app = makeApp();
  const own = await request(app).get('/api/data').set('X-API-Key', API_KEY);
  expect(own.status).toBe(200);
  expect(own.body).toEqual({ user: 'user1', workspace: 'user1', workspaces: ['team', 'user1'] });

  const byParam = await request(app).get('/api/workspaces/team/data').set('X-API-Key', API_KEY);
  expect(byParam.status).toBe(200);
  expect(byParam.body.workspace).toBe('team');

  const byQuery = await request(app).get('/api/data?workspace=team').set('X-API-Key', API_KEY);
  expect(byQuery.body.workspace).toBe('team');

  const forbidden = await request(app).get('/api/workspaces/other/data').set('X-API-Key', API_KEY);
  expect(forbidden.status).toBe(403);
  expect(forbidden.body.code).toBe('workspace_forbidden');
});

it('answers a malformed JSON body with a JSON 400', async () => {
  const response = await request(makeApp()).post('/api/security/token').set('Content-Type', 'application/json').send('{"username": "user1",');
  expect(response.status).toBe(400);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body.code).toBe('invalid_request');
});

it('answers a repeated ?workspace= with 400', async () => {
  const response = await request(makeApp()).get('/api/data?workspace=team&workspace=user1').set('X-API-Key', API_KEY);
  expect(response.status).toBe(400);
  expect(response.body.code).toBe('invalid_workspace');
});

// Express 4 parses query strings with qs by default, so ?workspace[a]=b is an object there;
// Express 5 does so only with the "extended" query parser.
it('answers ?workspace[a]=b with 400 when the query parser makes it an object', async () => {
  const extended = makeApp((app) => app.set('query parser', 'extended'));
  const response = await request(extended).get('/api/data?workspace[a]=team').set('X-API-Key', API_KEY);
  expect(response.status).toBe(400);
  expect(response.body.code).toBe('invalid_workspace');
});

it(`with the default query parser of Express ${String(expectedMajor)}, answers ?workspace[a]=b as that parser reads it`, async () => {
  const response = await request(makeApp()).get('/api/data?workspace[a]=team').set('X-API-Key', API_KEY);
  if (expectedMajor === 4) {
    // qs: an object, refused.
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_workspace');
  } else {
    // The simple parser: a parameter literally named "workspace[a]", which is not "workspace".
    expect(response.status).toBe(200);
    expect(response.body.workspace).toBe('user1');
  }
});
