import express from 'express';
import request from 'supertest';
import { makeApp, USERS } from '../../helpers';

const { app, auth } = makeApp();
afterAll(() => auth.close());

type Who = keyof typeof USERS;
const as = (who: Who) => ({ 'X-API-Key': USERS[who].apiKey });
const inWorkspace = (who: Who, workspace: string) => request(app).get(`/ws/${encodeURIComponent(workspace)}`).set(as(who));

describe('workspace access', () => {
  const cases: Array<[Who, string, number]> = [
    // workspaces: [] — the own workspace only
    ['user1', 'user1', 200],
    ['user1', 'client_projects', 403],
    ['user1', 'user2', 403],
    ['user1', 'no-such-team', 403],
    // workspaces: [client_projects] — own plus the listed team
    ['user2', 'user2', 200],
    ['user2', 'client_projects', 200],
    ['user2', 'user1', 403],
    ['user2', 'no-such-team', 403],
    // no workspaces field — a super-user reaches every workspace the file knows, and no other
    ['user3', 'user3', 200],
    ['user3', 'user1', 200],
    ['user3', 'client_projects', 200],
    ['user3', 'toString', 200],
    ['user3', 'no-such-team', 403],
  ];
  it.each(cases)('%s → %s: %d', async (who, workspace, status) => {
    const response = await inWorkspace(who, workspace);
    expect(response.status).toBe(status);
    if (status === 200) expect(response.body).toMatchObject({ user: who, workspace });
  });

  it('answers a workspace that exists and one that does not alike', async () => {
    const existing = await inWorkspace('user1', 'client_projects');
    const missing = await inWorkspace('user1', 'no-such-team');
    expect([missing.status, missing.body]).toEqual([existing.status, existing.body]);
    expect(existing.body).toEqual({ code: 'workspace_forbidden', message: expect.stringContaining('GET /api/me'), detail: existing.body.message });
  });

  it('attaches every workspace the user may access', async () => {
    expect((await inWorkspace('user2', 'user2')).body.workspaces).toEqual(['client_projects', 'user2']);
    expect((await inWorkspace('user1', 'user1')).body.workspaces).toEqual(['user1']);
    expect((await inWorkspace('user3', 'user3')).body.workspaces).toEqual(auth.users().knownWorkspaces);
  });

  it("shares a super-user's list, frozen: the app cannot change it for other requests, and may assign its own", async () => {
    const app2 = express();
    app2.get('/edit', auth.authenticate, auth.requireWorkspace(), (req, res) => {
      const first = req.workspaces as string[];
      let pushed: string | undefined;
      try {
        first.push('added-by-the-app');
      } catch (error) {
        pushed = (error as Error).name;
      }
      req.workspaces = ['replaced'];
      res.json({ frozen: Object.isFrozen(first), pushed, replaced: req.workspaces });
    });
    const body = (await request(app2).get('/edit').set(as('user3'))).body;
    expect(body).toEqual({ frozen: true, pushed: 'TypeError', replaced: ['replaced'] });
    expect(auth.users().knownWorkspaces).not.toContain('added-by-the-app');
    expect((await request(app2).get('/edit').set(as('user3'))).body.pushed).toBe('TypeError');
  });
});

describe('selecting the workspace of a request', () => {
  it("defaults to the user's own workspace", async () => {
    expect((await request(app).get('/ws').set(as('user2'))).body.workspace).toBe('user2');
  });

  it.each([
    ['?workspace=', (r: request.Test) => r.query({ workspace: 'client_projects' })],
    ['X-Argilla-Workspace', (r: request.Test) => r.set('X-Argilla-Workspace', 'client_projects')],
    ['X-Rubrix-Workspace', (r: request.Test) => r.set('X-Rubrix-Workspace', 'client_projects')],
  ])('reads %s', async (_source, select) => {
    expect((await select(request(app).get('/ws').set(as('user2')))).body.workspace).toBe('client_projects');
  });

  it('prefers the route param, then ?workspace=, then X-Argilla-Workspace, then X-Rubrix-Workspace', async () => {
    const all = (path: string) => request(app).get(path).set(as('user3'));
    expect((await all('/ws/user1?workspace=user2').set('X-Argilla-Workspace', 'htuser').set('X-Rubrix-Workspace', 'sleepy')).body.workspace).toBe('user1');
    expect((await all('/ws?workspace=user2').set('X-Argilla-Workspace', 'htuser').set('X-Rubrix-Workspace', 'sleepy')).body.workspace).toBe('user2');
    expect((await all('/ws').set('X-Argilla-Workspace', 'htuser').set('X-Rubrix-Workspace', 'sleepy')).body.workspace).toBe('htuser');
    expect((await all('/ws').set('X-Rubrix-Workspace', 'sleepy')).body.workspace).toBe('sleepy');
  });

  it('checks the selected workspace whatever its source', async () => {
    expect((await request(app).get('/ws').set(as('user1')).set('X-Rubrix-Workspace', 'client_projects')).status).toBe(403);
    expect((await request(app).get('/ws?workspace=client_projects').set(as('user1'))).status).toBe(403);
  });
});

describe('malformed workspace names get 400', () => {
  it.each(['../etc', 'a b', '_x', '-x', 'tëam', '__proto__', ''])('%j in ?workspace=', async (workspace) => {
    const response = await request(app).get('/ws').query({ workspace }).set(as('user3'));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_workspace');
  });

  it('in the route param and the headers', async () => {
    expect((await inWorkspace('user3', 'a b')).status).toBe(400);
    expect((await request(app).get('/ws').set(as('user3')).set('X-Argilla-Workspace', '../etc')).status).toBe(400);
    expect((await request(app).get('/ws').set(as('user3')).set('X-Rubrix-Workspace', '')).status).toBe(400);
  });

  it('a workspace named twice in the query is ambiguous', async () => {
    const response = await request(app).get('/ws?workspace=user3&workspace=user1').set(as('user3'));
    expect(response.status).toBe(400);
  });
});

describe('prototype names grant nothing', () => {
  it.each(['toString', 'constructor', 'hasOwnProperty', 'valueOf'])('user2 may not enter %j', async (workspace) => {
    expect((await inWorkspace('user2', workspace)).status).toBe(403);
  });

  it('but a user to whom the file gives such a workspace may', async () => {
    expect((await inWorkspace('htuser', 'toString')).status).toBe(200);
    expect((await inWorkspace('constructor', 'hasOwnProperty')).status).toBe(200);
    expect((await inWorkspace('constructor', 'constructor')).status).toBe(200);
    expect((await inWorkspace('constructor', 'toString')).status).toBe(403);
  });
});

describe('requireWorkspace(name), a route-level guard', () => {
  it('lets in users of that workspace, whatever the request selects', async () => {
    const response = await request(app).get('/team?workspace=user2').set(as('user2'));
    expect(response.status).toBe(200);
    expect(response.body.workspace).toBe('client_projects');
  });

  it('refuses others with 403', async () => {
    expect((await request(app).get('/team').set(as('user1'))).status).toBe(403);
  });

  it('refuses a malformed name when the route is set up', () => {
    expect(() => auth.requireWorkspace('a b')).toThrow(/requireWorkspace\("a b"\): the workspace name must match/);
  });
});

describe('without an authenticated user', () => {
  it('answers 401, never 403, after authenticate', async () => {
    const response = await request(app).get('/ws/user1');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('missing_credentials');
  });

  it('answers 401 with advice when requireWorkspace runs without authenticate', async () => {
    const response = await request(app).get('/unauthenticated-guard').set(as('user1'));
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBeDefined();
    expect(response.body).toEqual({ code: 'not_authenticated', message: expect.stringContaining('authenticate middleware before requireWorkspace'), detail: response.body.message });
  });
});

describe('auth.workspaceRefusal(req, workspace), for a second workspace in one request', () => {
  const checker = express();
  checker.get('/refusal/:target', auth.authenticate, (req, res) => {
    res.json({ refusal: auth.workspaceRefusal(req, req.params.target) ?? null });
  });
  checker.get('/unauthenticated/:target', (req, res) => {
    res.json({ refusal: auth.workspaceRefusal(req, req.params.target) ?? null });
  });

  it.each<[Who, string, string | null]>([
    ['user2', 'client_projects', null],
    ['user2', 'user2', null],
    ['user2', 'user1', 'workspace_forbidden'],
    ['user3', 'user1', null],
    ['user3', 'no-such-team', 'workspace_forbidden'],
    ['user2', 'a b', 'invalid_workspace'],
    ['user2', 'toString', 'workspace_forbidden'],
  ])('%s → %s: %s', async (who, workspace, refusal) => {
    const response = await request(checker).get(`/refusal/${encodeURIComponent(workspace)}`).set(as(who));
    expect(response.body).toEqual({ refusal });
  });

  it('is not_authenticated for a request the plugin did not authenticate', async () => {
    const response = await request(checker).get('/unauthenticated/user1');
    expect(response.body).toEqual({ refusal: 'not_authenticated' });
  });
});

describe('errors that blame the request', () => {
  it('answer a malformed %-escape in the path with a JSON 400, not an HTML stack trace', async () => {
    const response = await request(app).get('/ws/%E0%A4%A').set(as('user3'));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({ code: 'invalid_request', message: expect.stringContaining('%-escape'), detail: response.body.message });
  });
});
