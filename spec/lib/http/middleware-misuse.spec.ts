// `app.use(factory)` for `app.use(factory())`: the advice must reach the app's error handler.
// Runs on Express 5 and Express 4 (see jest.config.js). TypeScript compiles these mistakes
// as written below: a function whose first parameter takes a request-shaped `any` fits the
// ErrorRequestHandler overload of app.use, so the run-time check serves TypeScript users too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import request from 'supertest';
import { ConfigError, workspaceAuth, type WorkspaceAuth } from '../../../lib/index';

const quiet = { info() {}, warn() {}, error() {} };
let dir: string;
let auth: WorkspaceAuth;

beforeAll(() => {
  // No users file in an empty folder: the default user argilla / argilla.apikey.
  dir = mkdtempSync(path.join(tmpdir(), 'ewa-misuse-'));
  auth = workspaceAuth({ env: {}, cwd: dir, secretKey: 'misuse-secret-key-of-32-characters!!', watch: false, logger: quiet });
});

afterAll(() => {
  auth.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An app whose error handler answers with what it was given, so the test reads what reached it. */
function withReportingErrorHandler(mount: (app: express.Express) => void): express.Express {
  const app = express();
  mount(app);
  const report: ErrorRequestHandler = (error: Error, _req, res, _next) => {
    res.status(500).json({ name: error.name, isConfigError: error instanceof ConfigError, message: error.message });
  };
  app.use(report);
  return app;
}

it('catches app.use(auth.requireWorkspace) and tells the error handler what to write', async () => {
  const app = withReportingErrorHandler((app) => {
    app.use(auth);
    app.use(auth.authenticate, auth.requireWorkspace);
    app.get('/data', (_req, res) => {
      res.json({ reached: true });
    });
  });
  const response = await request(app).get('/data').set('X-API-Key', 'argilla.apikey');
  expect(response.status).toBe(500);
  expect(response.body.isConfigError).toBe(true);
  expect(response.body.message).toContain(
    'It appears you have done `app.use(auth.requireWorkspace)`, but it should be `app.use(auth.requireWorkspace())`.',
  );
  expect(response.body.message).toContain("requireWorkspace('name')");
});

it('catches auth.requireWorkspace passed uncalled to a route', async () => {
  const app = withReportingErrorHandler((app) => {
    // In a route it would type the next handler's parameters as `any`, so it is cast here.
    app.get('/data', auth.authenticate, auth.requireWorkspace as unknown as RequestHandler, (_req, res) => {
      res.json({ reached: true });
    });
  });
  const response = await request(app).get('/data').set('X-API-Key', 'argilla.apikey');
  expect(response.body.reached).toBeUndefined();
  expect(response.body.message).toContain('but it should be `app.use(auth.requireWorkspace())`');
});

it('catches app.use(workspaceAuth)', async () => {
  const app = withReportingErrorHandler((app) => {
    app.use(workspaceAuth);
  });
  const response = await request(app).get('/api/me');
  expect(response.status).toBe(500);
  expect(response.body.isConfigError).toBe(true);
  expect(response.body.message).toContain('It appears you have done `app.use(workspaceAuth)`, but it should be `app.use(workspaceAuth())`.');
});

it('still builds the guard when called as intended, and rejects a malformed fixed workspace at once', async () => {
  const app = withReportingErrorHandler((app) => {
    app.get('/data', auth.authenticate, auth.requireWorkspace(), (req, res) => {
      res.json({ workspace: req.workspace });
    });
  });
  const response = await request(app).get('/data').set('X-API-Key', 'argilla.apikey');
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ workspace: 'argilla' });
  expect(() => auth.requireWorkspace('no spaces')).toThrow(TypeError);
});

it('returns a named middleware function carrying its members, with no Router internals reachable', () => {
  expect(typeof auth).toBe('function');
  expect(auth.name).toBe('workspaceAuthRoutes');
  for (const routerMember of ['stack', 'get', 'post', 'use', 'route', 'param', 'handle', 'all']) {
    expect(routerMember in auth).toBe(false);
  }
  expect(Object.keys(auth).sort()).toEqual(
    [
      'authenticate', 'close', 'errorHandler', 'logoutHandler', 'meHandler', 'off', 'on', 'once', 'passport', 'refuse', 'reload',
      'requireWorkspace', 'status', 'strategies', 'tokenHandler', 'userOf', 'users', 'workspaceRefusal',
    ].sort(),
  );
});
