// The plugin as a polite guest in an app that has users of its own (spec/fixtures/host-app/):
// it never touches the app's req.user, never lets an API-key caller through the app's own login
// guards, answers only its own errors, changes nothing the process shares, and leaves the app's
// types alone. On Express 5 and 4 (jest.config.js).
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { expressjwt } from 'express-jwt';
import express from 'express';
import passport from 'passport';
import request from 'supertest';
import { workspaceAuth, type WorkspaceAuthOptions } from '../../lib';
import { createHostApp } from '../fixtures/host-app/host-app';
import { recordingLogger, SECRET, USERS, USERS_FILE } from '../helpers';

const expressMajor = (globalThis as { EXPRESS_MAJOR?: number }).EXPRESS_MAJOR;
const PLUGIN: WorkspaceAuthOptions = { usersFile: USERS_FILE, env: {}, secretKey: SECRET, watch: false, logger: recordingLogger() };
const built: { close(): void }[] = [];
function hostApp(options: WorkspaceAuthOptions = {}) {
  const host = createHostApp({ ...PLUGIN, ...options });
  built.push(host.auth);
  return host;
}
afterAll(() => {
  for (const auth of built) auth.close();
});

const { app, auth } = hostApp();
const apiKey = (who: keyof typeof USERS) => ({ 'X-API-Key': USERS[who].apiKey });

/** An agent holding a staff member's session. */
async function staffAgent(of = app, username = 'rosa') {
  const agent = request.agent(of);
  const login = await agent.post('/staff/login').type('form').send({ username, password: 'staff-password' });
  expect(login.status).toBe(200);
  return agent;
}

describe("the app's own login guards", () => {
  it("refuse an API-key caller the plugin authenticated: connect-ensure-login sends it to the app's login page", async () => {
    const response = await request(app).get('/export').set(apiKey('user2'));
    expect([response.status, response.headers.location]).toEqual([302, '/staff/login']);
    const superUser = await request(app).get('/export').set(apiKey('user3'));
    expect([superUser.status, superUser.headers.location]).toEqual([302, '/staff/login']);
  });

  it('refuse an access-token caller too', async () => {
    const token = (await request(app).post('/api/security/token').type('form').send({ username: 'user1', password: USERS.user1.password })).body.access_token as string;
    expect(token).toEqual(expect.any(String));
    const response = await request(app).get('/export').set('Authorization', `Bearer ${token}`);
    expect([response.status, response.headers.location]).toEqual([302, '/staff/login']);
  });

  it('let the staff session through, as before', async () => {
    const agent = await staffAgent();
    expect((await agent.get('/export')).body).toEqual({ exported: true, by: 'ROSA' });
    expect((await agent.get('/staff/whoami')).body).toEqual({ staffName: 'ROSA', role: 'staff' });
  });
});

describe("the app's req.user", () => {
  it('is untouched in a Passport host: an API-key caller is at auth.userOf(req) only, and req.isAuthenticated() stays false', async () => {
    const response = await request(app).get('/api/workspaces/client_projects/datasets').set(apiKey('user2'));
    expect(response.body).toEqual({
      apiUser: 'user2',
      staff: null,
      isAuthenticated: false,
      reqApiUser: null,
      holding: [],
      workspace: 'client_projects',
      workspaces: ['client_projects', 'user2'],
    });
  });

  it('keeps the staff session user when the same request carries an API key, on a plugin route and after it', async () => {
    const agent = await staffAgent();
    const guarded = await agent.get('/api/workspaces/user2/datasets').set(apiKey('user2'));
    expect(guarded.body).toMatchObject({ apiUser: 'user2', staff: 'Rosa', isAuthenticated: true });
    const me = await agent.get('/api/me').set(apiKey('user1'));
    expect([me.status, me.body.username]).toEqual([200, 'user1']);
    expect((await agent.get('/staff/whoami')).body).toEqual({ staffName: 'ROSA', role: 'staff' });
  });

  it('is no way past requireWorkspace: a session user, even one named like a users-file user, is 401 not_authenticated', async () => {
    const agent = await staffAgent(app, 'user3');
    const response = await agent.get('/datasets?workspace=user1');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('not_authenticated');
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm=/);
  });

  it('cannot be forged to pass requireWorkspace, even with a users-file username', async () => {
    const forged = express();
    forged.use((req, _res, next) => {
      req.user = { id: 0, staffName: 'user3', role: 'admin', username: 'user3' } as never;
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

describe('userProperty in a Passport host', () => {
  it('puts the user where the app asked, and still leaves req.user and req.isAuthenticated() alone', async () => {
    const named = hostApp({ userProperty: 'apiUser' }).app;
    const response = await request(named).get('/api/workspaces/user2/datasets').set(apiKey('user2'));
    expect(response.body).toMatchObject({ apiUser: 'user2', reqApiUser: 'user2', holding: ['apiUser'], staff: null, isAuthenticated: false });
    expect((await request(named).get('/export').set(apiKey('user2'))).status).toBe(302);
    const agent = await staffAgent(named);
    expect((await agent.get('/api/workspaces/user2/datasets').set(apiKey('user2'))).body).toMatchObject({ reqApiUser: 'user2', staff: 'Rosa' });
  });

  it('false puts it nowhere but auth.userOf(req)', async () => {
    const nowhere = hostApp({ userProperty: false }).app;
    const response = await request(nowhere).get('/api/workspaces/user2/datasets').set(apiKey('user2'));
    expect(response.body).toMatchObject({ apiUser: 'user2', reqApiUser: null, holding: [], staff: null, isAuthenticated: false });
  });

  it("never takes the property the app's Passport reads, whatever its name (passport.initialize({ userProperty }))", async () => {
    const own = new passport.Passport();
    const plugin = workspaceAuth({ ...PLUGIN, userProperty: 'account' });
    built.push(plugin);
    const hosted = express();
    hosted.use(own.initialize({ userProperty: 'account' }));
    hosted.get('/in', plugin.authenticate, (req, res) => {
      const props = req as unknown as Record<string, unknown>;
      res.json({ account: props.account ?? null, isAuthenticated: req.isAuthenticated(), user: props.user ?? null, ours: plugin.userOf(req)?.username });
    });
    expect((await request(hosted).get('/in').set(apiKey('user1'))).body).toEqual({ account: null, isAuthenticated: false, user: null, ours: 'user1' });
  });
});

describe('in an app without Passport of its own', () => {
  function pluginOnly(options: WorkspaceAuthOptions = {}) {
    const plugin = workspaceAuth({ ...PLUGIN, ...options });
    built.push(plugin);
    const only = express();
    only.get('/in', plugin.authenticate, (req, res) => {
      const props = req as unknown as Record<string, { username?: string } | undefined>;
      const holding = Object.entries(req).flatMap(([name, value]) => (value === plugin.userOf(req) ? [name] : []));
      res.json({ user: props.user?.username ?? null, apiUser: props.apiUser?.username ?? null, ours: plugin.userOf(req)?.username, holding });
    });
    return { only, plugin };
  }

  it("req.user is the plugin's user, Passport's convention", async () => {
    expect((await request(pluginOnly().only).get('/in').set(apiKey('user2'))).body).toEqual({ user: 'user2', apiUser: null, ours: 'user2', holding: ['user'] });
  });

  it('userProperty names the property instead, or false leaves only auth.userOf(req)', async () => {
    expect((await request(pluginOnly({ userProperty: 'apiUser' }).only).get('/in').set(apiKey('user2'))).body).toEqual({ user: null, apiUser: 'user2', ours: 'user2', holding: ['apiUser'] });
    expect((await request(pluginOnly({ userProperty: false }).only).get('/in').set(apiKey('user2'))).body).toEqual({ user: null, apiUser: null, ours: 'user2', holding: [] });
  });

  it('a req.user something else put there is never replaced; a second authenticate of the plugin updates its own', async () => {
    const { plugin } = pluginOnly();
    const other = express();
    other.get('/theirs', (req, _res, next) => {
      req.user = { id: 1, staffName: 'from another middleware', role: 'staff' };
      next();
    }, plugin.authenticate, (req, res) => {
      res.json({ user: req.user?.staffName, ours: plugin.userOf(req)?.username });
    });
    other.get('/twice', plugin.authenticate, (req, _res, next) => {
      req.headers['x-api-key'] = USERS.user1.apiKey;
      next();
    }, plugin.authenticate, (req, res) => {
      res.json({ user: (req.user as { username?: string } | undefined)?.username, ours: plugin.userOf(req)?.username });
    });
    expect((await request(other).get('/theirs').set(apiKey('user2'))).body).toEqual({ user: 'from another middleware', ours: 'user2' });
    expect((await request(other).get('/twice').set(apiKey('user2'))).body).toEqual({ user: 'user1', ours: 'user1' });
  });

  // What the app put on its own request object (app.request, every request's prototype) is read
  // and written as a plain `req.user` would, with the request itself as `this`.
  describe("what the app's request object holds", () => {
    const { plugin } = pluginOnly();
    function appWith(requestProperties: PropertyDescriptorMap, before: express.RequestHandler = (_req, _res, next) => next()) {
      const app = express();
      Object.defineProperties(app.request, requestProperties);
      app.get('/in', before, plugin.authenticate, (req, res) => {
        res.json({ user: (req.user as { username?: string } | undefined)?.username ?? null, ownUser: Object.hasOwn(req, 'user'), ours: plugin.userOf(req)?.username });
      });
      return app;
    }

    it("a user setter there is called, on the request, as an assignment would: the user is the app's to keep", async () => {
      const app = appWith({
        user: {
          get(this: { kept?: unknown }) {
            return this.kept;
          },
          set(this: { kept?: unknown }, user: unknown) {
            Object.defineProperty(this, 'kept', { value: user, writable: true });
          },
        },
      });
      expect((await request(app).get('/in').set(apiKey('user2'))).body).toEqual({ user: 'user2', ownUser: false, ours: 'user2' });
    });

    it('a user value there is never replaced', async () => {
      const app = appWith({ user: { value: { username: 'anonymous' }, writable: true } });
      expect((await request(app).get('/in').set(apiKey('user2'))).body).toEqual({ user: 'anonymous', ownUser: false, ours: 'user2' });
    });

    it("an isAuthenticated getter there is asked on the request: where it says the app's Passport is on, req.user is left alone", async () => {
      const app = appWith(
        {
          isAuthenticated: {
            get(this: { hostPassport?: boolean }) {
              return this.hostPassport ? () => false : undefined;
            },
          },
        },
        (req, _res, next) => {
          if (req.headers['x-host-passport']) (req as unknown as { hostPassport: boolean }).hostPassport = true;
          next();
        },
      );
      expect((await request(app).get('/in').set(apiKey('user2')).set('X-Host-Passport', '1')).body).toEqual({ user: null, ownUser: false, ours: 'user2' });
      expect((await request(app).get('/in').set(apiKey('user2'))).body).toEqual({ user: 'user2', ownUser: true, ours: 'user2' });
    });
  });
});

describe("the app's own errors, with auth.errorHandler mounted", () => {
  it("a malformed JSON body to the app's own route reaches the app's error handler", async () => {
    const response = await request(app).post('/notes').set('Content-Type', 'application/json').send('{"note":');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ handledBy: 'host', type: 'entity.parse.failed' });
  });

  it("a body over the app's own 1 KB limit reaches the app, never a message about logins and 16 KB", async () => {
    const response = await request(app).post('/notes').set('Content-Type', 'application/json').send(JSON.stringify({ note: 'x'.repeat(2000) }));
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ handledBy: 'host', type: 'entity.too.large' });
    expect(JSON.stringify(response.body)).not.toMatch(/16 KB|login/);
  });

  it("a malformed URL on the app's own route reaches the app, for a session user and an anonymous one alike", async () => {
    const anonymous = await request(app).get('/files/%E0%A4%A');
    expect(anonymous.status).toBe(400);
    expect(anonymous.body).toMatchObject({ handledBy: 'host' });
    const agent = await staffAgent();
    expect((await agent.get('/files/%E0%A4%A')).body).toMatchObject({ handledBy: 'host' });
  });

  it.each([404, 409, 422])("%i reaches the app's error handler untouched", async (status) => {
    const response = await request(app).get(`/host-error/${status}`);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ handledBy: 'host', type: null, message: `host error ${status}` });
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

  it("still answers the plugin's own: an unreadable or too large login body, and a malformed URL from its caller on a guarded route", async () => {
    const badJson = await request(app).post('/api/security/token').set('Content-Type', 'application/json').send('{"username":');
    expect([badJson.status, badJson.body.code]).toEqual([400, 'invalid_request']);
    const huge = await request(app).post('/api/security/token').set('Content-Type', 'application/json').send(JSON.stringify({ username: 'x'.repeat(20_000) }));
    expect([huge.status, huge.body.code]).toEqual([413, 'payload_too_large']);
    expect(huge.body.message).toMatch(/16 KB/);
    const badUrl = await request(app).get('/api/workspaces/%E0%A4%A/datasets').set(apiKey('user2'));
    expect([badUrl.status, badUrl.body.code]).toEqual([400, 'invalid_request']);
    // An API key that is not the plugin's makes the request no caller of the plugin's.
    const unknownKey = await request(app).get('/api/workspaces/%E0%A4%A/datasets').set('X-API-Key', 'not-a-key');
    expect(unknownKey.body).toMatchObject({ handledBy: 'host' });
  });
});

describe('what the process shares', () => {
  it("keeps Express's and Node's request and response prototypes as they were, after guarded requests", async () => {
    const shared = [express.request, express.response, app.request, app.response, http.IncomingMessage.prototype, http.ServerResponse.prototype];
    const namesOf = () => shared.map((object) => Object.getOwnPropertyNames(object).sort());
    const before = namesOf();
    const agent = await staffAgent();
    expect((await agent.get('/api/workspaces/user2/datasets').set(apiKey('user2'))).status).toBe(200);
    expect((await request(app).get('/api/workspaces/user1/datasets').set(apiKey('user3'))).status).toBe(200);
    expect(namesOf()).toEqual(before);
  });
});

describe("the app's types", () => {
  // The types are Express 5's (the repo's @types/express): compiled once, in the Express 5 run.
  (expressMajor === 4 ? it.skip : it)('compile with tsc --strict: the app keeps its own Express.User beside the plugin, and types req.apiUser itself', () => {
    const tsc = require.resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, '..', 'fixtures', 'host-app', 'tsconfig.json')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
