// The plugin inside an app that has users of its own (passport-local with sessions), its own
// error handler and its own Express.User type: the plugin trusts only what it authenticated,
// leaves the app's errors to the app, and never changes the app's types.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expressjwt } from 'express-jwt';
import express from 'express';
import request from 'supertest';
import { createHostApp } from '../fixtures/host-app/host-app';
import { recordingLogger, SECRET, USERS, USERS_FILE } from '../helpers';

const { app, auth } = createHostApp({ usersFile: USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger: recordingLogger() });
afterAll(() => auth.close());

describe('a user the app logged in by session', () => {
  it('is not a users-file user: requireWorkspace answers 401 not_authenticated', async () => {
    const agent = request.agent(app);
    // user3 is the app's staff member here, and a super-user in the users file.
    const login = await agent.post('/staff/login').type('form').send({ username: 'user3', password: 'staff-password' });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ staffId: 7 });
    const response = await agent.get('/datasets?workspace=user1');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('not_authenticated');
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm=/);
  });

  it('is 401 on that route without a session too, and the plugin-authenticated user passes where authenticate runs', async () => {
    expect((await request(app).get('/datasets')).status).toBe(401);
    const response = await request(app).get('/me').set('X-API-Key', USERS.user3.apiKey);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ username: 'user3', workspace: 'user3' });
  });

  it('cannot pass by setting req.user itself, even to a users-file username', async () => {
    const forged = express();
    forged.use((req, _res, next) => {
      req.user = { staffId: 0, username: 'user3', role: 'admin' } as never;
      next();
    });
    forged.get('/datasets', auth.requireWorkspace(), (_req, res) => {
      res.json({ reached: true });
    });
    const response = await request(forged).get('/datasets');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('not_authenticated');
  });
});

describe("the app's own errors, with auth.errorHandler mounted", () => {
  it.each([404, 409, 422])('%i reaches the app\'s error handler untouched', async (status) => {
    const response = await request(app).get(`/host-error/${status}`);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ handledBy: 'host', message: `host error ${status}` });
  });

  it("express-jwt's 401 reaches the app's error handler", async () => {
    const withJwt = express();
    withJwt.get('/jwt', expressjwt({ secret: SECRET, algorithms: ['HS256'] }), (_req, res) => {
      res.json({ reached: true });
    });
    withJwt.use(auth.errorHandler);
    withJwt.use(((error, _req, res, _next) => {
      res.status(error.status).json({ handledBy: 'host', name: error.name });
    }) as express.ErrorRequestHandler);
    const response = await request(withJwt).get('/jwt').set('Authorization', 'Bearer not-a-jwt');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ handledBy: 'host', name: 'UnauthorizedError' });
  });

  it("still answers the plugin's own: an unreadable login body and a malformed URL", async () => {
    const badJson = await request(app).post('/api/security/token').set('Content-Type', 'application/json').send('{"username":');
    expect(badJson.status).toBe(400);
    expect(badJson.body.code).toBe('invalid_request');
    const badUrl = await request(app).get('/files/%E0%A4%A');
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.code).toBe('invalid_request');
  });
});

describe("the app's types", () => {
  it('compile with tsc --strict: the app keeps its own Express.User beside the plugin', () => {
    const tsc = require.resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, '..', 'fixtures', 'host-app', 'tsconfig.json')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
