import http from 'node:http';
import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { makeApp, USERS } from '../../helpers';

/**
 * req.workspace and req.workspaces are plain properties of each request (lib/workspaces/request-workspace.ts):
 * nothing the process shares is changed, Express's request prototype least of all. They read and
 * assign as plain properties, in sub-apps, beside other code that uses the same names, whatever
 * the app does to res.locals, and never carry one request's values into another.
 */
const { auth } = makeApp();
afterAll(() => auth.close());

const as = (who: keyof typeof USERS) => ({ 'X-API-Key': USERS[who].apiKey });
const echo: RequestHandler = (req, res) => {
  res.json({ workspace: req.workspace ?? null, workspaces: req.workspaces ?? null });
};

describe('req.workspace and req.workspaces', () => {
  it('hold each request its own values, however many run at once', async () => {
    const app = express();
    app.get('/ws/:workspace', auth.authenticate, auth.requireWorkspace(), (req, res) => {
      // The answer waits so that requests overlap.
      setTimeout(() => echo(req, res, () => undefined), 5);
    });
    const asked = [
      ['user1', 'user1', ['user1']],
      ['user2', 'user2', ['client_projects', 'user2']],
      ['user2', 'client_projects', ['client_projects', 'user2']],
      ['user3', 'user1', auth.users().knownWorkspaces],
    ] as const;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => asked[i % asked.length] as (typeof asked)[number]).map(([who, workspace]) => request(app).get(`/ws/${workspace}`).set(as(who))));
    answers.forEach((answer, i) => {
      const [, workspace, workspaces] = asked[i % asked.length] as (typeof asked)[number];
      expect(answer.body).toEqual({ workspace, workspaces });
    });
  });

  it("change nothing the process shares: Express's and Node's request and response prototypes, the globals", async () => {
    const app = express();
    app.get('/ws/:workspace', auth.authenticate, auth.requireWorkspace(), echo);
    const shared = {
      request: express.request,
      response: express.response,
      appRequest: app.request,
      appResponse: app.response,
      incoming: http.IncomingMessage.prototype,
      outgoing: http.ServerResponse.prototype,
      global: globalThis,
    };
    const namesOf = () => Object.fromEntries(Object.entries(shared).map(([name, object]) => [name, [...Object.getOwnPropertyNames(object), ...Object.getOwnPropertySymbols(object).map(String)].sort()]));
    const before = namesOf();
    expect((await request(app).get('/ws/client_projects').set(as('user2'))).body).toEqual({ workspace: 'client_projects', workspaces: ['client_projects', 'user2'] });
    expect((await request(app).get('/ws/user1').set(as('user3'))).status).toBe(200);
    expect(namesOf()).toEqual(before);
  });

  it('are undefined on a request no guard passed, in an app beside one that uses the plugin', async () => {
    const app = express();
    app.get('/plain', (req, res) => {
      res.json({ workspace: req.workspace === undefined, workspaces: req.workspaces === undefined });
    });
    expect((await request(app).get('/plain')).body).toEqual({ workspace: true, workspaces: true });
  });

  it('stay plain own properties in an app of the same Express that never uses the plugin', async () => {
    // Make sure the accessors are installed: one guarded request first.
    const guarded = express();
    guarded.get('/ws', auth.authenticate, auth.requireWorkspace(), echo);
    await request(guarded).get('/ws').set(as('user1')).expect(200);
    const app = express();
    app.get('/own', (req, res) => {
      req.workspace = 'its-own';
      req.workspaces = ['its-own'];
      res.locals = {};
      const listed = Object.keys(req).includes('workspace');
      const kept = { workspace: req.workspace, workspaces: req.workspaces };
      delete req.workspace;
      res.json({ listed, kept, afterDelete: req.workspace ?? null });
    });
    expect((await request(app).get('/own')).body).toEqual({ listed: true, kept: { workspace: 'its-own', workspaces: ['its-own'] }, afterDelete: null });
  });

  it("keep working when code writes to Express's request prototype itself", async () => {
    const app = express();
    app.get('/ws', auth.authenticate, auth.requireWorkspace(), echo);
    const base = Object.getPrototypeOf(app.request) as { workspace?: unknown };
    await request(app).get('/ws').set(as('user1')).expect(200);
    base.workspace = 'written-to-the-prototype';
    try {
      expect((await request(app).get('/ws').set(as('user2'))).body).toEqual({ workspace: 'user2', workspaces: ['client_projects', 'user2'] });
    } finally {
      base.workspace = undefined;
    }
  });

  it('take what the app assigns, before and after the guard, as plain properties would', async () => {
    const app = express();
    app.get(
      '/assign',
      (req, _res, next) => {
        req.workspace = 'set-before';
        next();
      },
      auth.authenticate,
      auth.requireWorkspace(),
      (req, res) => {
        const guarded = { workspace: req.workspace, workspaces: req.workspaces };
        req.workspace = 'changed';
        req.workspaces = ['changed'];
        res.json({ guarded, after: { workspace: req.workspace, workspaces: req.workspaces } });
      },
    );
    expect((await request(app).get('/assign').set(as('user2'))).body).toEqual({
      guarded: { workspace: 'user2', workspaces: ['client_projects', 'user2'] },
      after: { workspace: 'changed', workspaces: ['changed'] },
    });
  });

  it('win over own properties another middleware defined on the request before the guard', async () => {
    const app = express();
    app.get(
      '/defined',
      (req, _res, next) => {
        Object.defineProperty(req, 'workspace', { value: 'defined-before', writable: true, configurable: true, enumerable: true });
        Object.defineProperty(req, 'workspaces', { value: ['defined-before'], writable: true, configurable: true, enumerable: true });
        next();
      },
      auth.authenticate,
      auth.requireWorkspace(),
      echo,
    );
    expect((await request(app).get('/defined').set(as('user2'))).body).toEqual({ workspace: 'user2', workspaces: ['client_projects', 'user2'] });
  });

  it('survive the app replacing res.locals, listed as own properties of the request', async () => {
    const app = express();
    app.get('/replaced-after', auth.authenticate, auth.requireWorkspace(), (req, res) => {
      const before = req.workspace;
      res.locals = { title: 'replaced by the app' };
      res.json({ before, after: req.workspace, workspaces: req.workspaces, listed: Object.keys(req).filter((key) => key.startsWith('workspace')) });
    });
    expect((await request(app).get('/replaced-after').set(as('user2'))).body).toEqual({
      before: 'user2',
      after: 'user2',
      workspaces: ['client_projects', 'user2'],
      listed: ['workspace', 'workspaces'],
    });
  });

  it("give a non-super-user's requests one frozen list: no request can change another's", async () => {
    const app = express();
    app.get('/edit', auth.authenticate, auth.requireWorkspace(), (req, res) => {
      const list = req.workspaces as string[];
      const frozen = Object.isFrozen(list);
      expect(() => list.push('added-by-the-app')).toThrow(TypeError);
      res.json({ frozen, workspaces: req.workspaces });
    });
    expect((await request(app).get('/edit').set(as('user2'))).body).toEqual({ frozen: true, workspaces: ['client_projects', 'user2'] });
    expect((await request(app).get('/edit').set(as('user2'))).body).toEqual({ frozen: true, workspaces: ['client_projects', 'user2'] });
  });

  it('are read after the request leaves the sub-app whose guard set them', async () => {
    const parent = express();
    const child = express();
    child.use(auth.authenticate, auth.requireWorkspace());
    parent.use(child);
    parent.get('/after-sub-app', echo);
    expect((await request(parent).get('/after-sub-app').set(as('user2'))).body).toEqual({ workspace: 'user2', workspaces: ['client_projects', 'user2'] });
  });

  it("stay right in an app whose request prototype already has a 'workspace' of its own", async () => {
    const app = express();
    let reads = 0;
    Object.defineProperty(app.request, 'workspace', {
      configurable: true,
      get() {
        reads += 1;
        return 'the-apps-default';
      },
    });
    app.get('/ws', auth.authenticate, auth.requireWorkspace(), echo);
    app.get('/unguarded', echo);
    expect((await request(app).get('/ws').set(as('user2'))).body).toEqual({ workspace: 'user2', workspaces: ['client_projects', 'user2'] });
    expect((await request(app).get('/unguarded')).body.workspace).toBe('the-apps-default');
    expect(reads).toBeGreaterThan(0);
  });
});

describe('req.user, as Passport sets it', () => {
  it('stays a plain property of the request: listed, and kept when the app replaces res.locals', async () => {
    const app = express();
    app.get('/user', auth.authenticate, (req, res) => {
      res.locals = { title: 'replaced by the app' };
      res.json({ listed: Object.keys(req).includes('user'), user: (req.user as { username?: string } | undefined)?.username ?? null });
    });
    expect((await request(app).get('/user').set(as('user2'))).body).toEqual({ listed: true, user: 'user2' });
  });
});

describe("what the plugin keeps per request (its slots on res.locals)", () => {
  it('never shows in the locals the app spreads, copies or renders', async () => {
    const app = express();
    app.get('/locals', auth.authenticate, auth.requireWorkspace(), (req, res) => {
      const locals = res.locals as Record<string | symbol, unknown>;
      res.json({ keys: Object.keys(locals), spreadSymbols: Object.getOwnPropertySymbols({ ...locals }).length, assigned: Object.getOwnPropertySymbols(Object.assign({}, locals)).length, workspace: req.workspace });
    });
    expect((await request(app).get('/locals').set(as('user2'))).body).toEqual({ keys: [], spreadSymbols: 0, assigned: 0, workspace: 'user2' });
  });

  it('are dropped with res.locals when the app replaces it: the guard then refuses, 401', async () => {
    const app = express();
    app.get(
      '/replaced',
      auth.authenticate,
      (_req, res, next) => {
        res.locals = { title: 'replaced by the app' };
        next();
      },
      auth.requireWorkspace(),
      echo,
    );
    const response = await request(app).get('/replaced').set(as('user2'));
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('not_authenticated');
  });

  it("belong to one plugin: another plugin's guard does not take this one's user", async () => {
    const other = makeApp().auth;
    const app = express();
    app.get('/mixed', auth.authenticate, other.requireWorkspace(), echo);
    app.get('/own', other.authenticate, other.requireWorkspace(), echo);
    const response = await request(app).get('/mixed').set(as('user2'));
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('not_authenticated');
    expect((await request(app).get('/own').set(as('user2'))).body.workspace).toBe('user2');
    other.close();
  });

  it('work outside Express too, on a bare Node request', async () => {
    const server = http.createServer((req, res) => {
      const done = (error?: unknown) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(error ? { error: String(error) } : { user: auth.userOf(req as express.Request)?.username, workspace: (req as express.Request).workspace }));
      };
      auth.authenticate(req as express.Request, res as express.Response, (error?: unknown) => {
        if (error) return done(error);
        auth.requireWorkspace()(req as express.Request, res as express.Response, done);
      });
    });
    const response = await request(server).get('/').set(as('user2'));
    expect(response.body).toEqual({ user: 'user2', workspace: 'user2' });
  });

  it("are found by auth.userOf(req) where the response has locals but the request no .res (a unit test's doubles)", async () => {
    const server = http.createServer((req, res) => {
      const response = Object.assign(res, { locals: {} }) as unknown as express.Response;
      auth.authenticate(req as express.Request, response, (error?: unknown) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ error: error ? String(error) : null, user: auth.userOf(req as express.Request)?.username ?? null }));
      });
    });
    expect((await request(server).get('/').set(as('user2'))).body).toEqual({ error: null, user: 'user2' });
  });
});
