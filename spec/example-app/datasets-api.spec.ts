import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { MemoryDatasetsStore, type DatasetsStore } from '../../example-app/datasets-store';
import { DEMO, EXAMPLE_USERS_FILE, exampleApp, recordingLogger } from './helpers';

const key = (user: keyof typeof DEMO) => ({ 'X-Argilla-Api-Key': DEMO[user].apiKey });

/** A refusal as the API answers it: JSON `{code, message, detail}` (detail the same text), and nothing that looks like a stack trace. */
function expectRefusal(response: request.Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.type).toBe('application/json');
  expect(response.body).toEqual({ code, message: expect.any(String), detail: response.body.message });
  expect(response.body.message.length).toBeGreaterThan(10);
  expect(response.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

describe('the datasets API', () => {
  const apps: Array<ReturnType<typeof exampleApp>> = [];
  const build = (options: Parameters<typeof exampleApp>[0] = {}) => {
    const built = exampleApp(options);
    apps.push(built);
    return built.app;
  };
  afterAll(() => {
    for (const { auth } of apps) auth.close();
  });

  describe('listing', () => {
    it('GET /api/datasets lists the datasets of the request\'s workspace, the user\'s own by default', async () => {
      const store = new MemoryDatasetsStore();
      store.log({ workspace: 'user2', dataset: 'mine' }, [{}]);
      store.log({ workspace: 'client_projects', dataset: 'shared' }, [{}]);
      const app = build({ store });
      const own = await request(app).get('/api/datasets').set(key('user2'));
      expect(own.status).toBe(200);
      expect(own.body).toEqual({ workspace: 'user2', datasets: ['mine'] });
      const byHeader = await request(app).get('/api/datasets').set(key('user2')).set('X-Argilla-Workspace', 'client_projects');
      expect(byHeader.body).toEqual({ workspace: 'client_projects', datasets: ['shared'] });
      const byQuery = await request(app).get('/api/datasets?workspace=client_projects').set(key('user2'));
      expect(byQuery.body).toEqual({ workspace: 'client_projects', datasets: ['shared'] });
    });

    it('GET /api/workspaces/:workspace/datasets lists by route param; an empty workspace has []', async () => {
      const app = build();
      const response = await request(app).get('/api/workspaces/client_projects/datasets').set(key('user2'));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ workspace: 'client_projects', datasets: [] });
    });

    it('refuses workspaces the user may not access, the same way whether or not they exist', async () => {
      const app = build();
      const existing = await request(app).get('/api/workspaces/client_projects/datasets').set(key('user1'));
      const missing = await request(app).get('/api/workspaces/no_such_team/datasets').set(key('user1'));
      expectRefusal(existing, 403, 'workspace_forbidden');
      expect(missing.status).toBe(existing.status);
      expect(missing.body).toEqual(existing.body);
    });

    it('refuses requests without credentials (401 with WWW-Authenticate) and malformed workspaces (400)', async () => {
      const app = build();
      const anonymous = await request(app).get('/api/datasets');
      expectRefusal(anonymous, 401, 'missing_credentials');
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer /);
      expectRefusal(await request(app).get('/api/workspaces/bad%20name/datasets').set(key('user3')), 400, 'invalid_workspace');
    });
  });

  describe('logging and loading records', () => {
    it('logs records into a new dataset (201, Location), appends, and loads them back', async () => {
      const app = build();
      const first = await request(app)
        .post('/api/workspaces/client_projects/datasets/news/records')
        .set(key('user2'))
        .send({ records: [{ text: 'a', label: 'x' }, { text: 'b' }] });
      expect(first.status).toBe(201);
      expect(first.headers.location).toBe('/api/workspaces/client_projects/datasets/news/records');
      expect(first.body).toEqual({ workspace: 'client_projects', dataset: 'news', logged: 2, total: 2 });
      const second = await request(app).post('/api/workspaces/client_projects/datasets/news/records').set(key('user2')).send({ records: [{ text: 'c' }] });
      expect(second.body).toMatchObject({ logged: 1, total: 3 });

      const loaded = await request(app).get('/api/workspaces/client_projects/datasets/news/records').set(key('user2'));
      expect(loaded.status).toBe(200);
      expect(loaded.body).toEqual({ workspace: 'client_projects', dataset: 'news', records: [{ text: 'a', label: 'x' }, { text: 'b' }, { text: 'c' }] });
      const listed = await request(app).get('/api/workspaces/client_projects/datasets').set(key('user2'));
      expect(listed.body.datasets).toEqual(['news']);
    });

    it('does the same in the request\'s workspace under /api/datasets/:dataset (header or query)', async () => {
      const app = build();
      const logged = await request(app)
        .post('/api/datasets/news/records')
        .set(key('user2'))
        .set('X-Argilla-Workspace', 'client_projects')
        .send({ records: [{ text: 'a' }] });
      expect(logged.status).toBe(201);
      expect(logged.body.workspace).toBe('client_projects');
      const loaded = await request(app).get('/api/datasets/news/records?workspace=client_projects').set(key('user2'));
      expect(loaded.body.records).toEqual([{ text: 'a' }]);
      // Without a workspace, the user's own: nothing named "news" there.
      expectRefusal(await request(app).get('/api/datasets/news/records').set(key('user2')), 404, 'dataset_not_found');
    });

    it('lets a super-user log into any known workspace but not into one the file does not name', async () => {
      const app = build();
      expect((await request(app).post('/api/workspaces/user1/datasets/d/records').set(key('user3')).send({ records: [{}] })).status).toBe(201);
      expectRefusal(await request(app).post('/api/workspaces/nowhere/datasets/d/records').set(key('user3')).send({ records: [{}] }), 403, 'workspace_forbidden');
    });

    it('refuses to log into a workspace the user may not access, and stores nothing', async () => {
      const store = new MemoryDatasetsStore();
      const app = build({ store });
      const response = await request(app).post('/api/workspaces/client_projects/datasets/news/records').set(key('user1')).send({ records: [{ text: 'a' }] });
      expectRefusal(response, 403, 'workspace_forbidden');
      expect(store.list('client_projects')).toEqual([]);
    });

    it('answers 404 with the way to list datasets for an unknown dataset', async () => {
      const response = await request(build()).get('/api/workspaces/user1/datasets/missing/records').set(key('user1'));
      expectRefusal(response, 404, 'dataset_not_found');
      expect(response.body.message).toContain('"missing"');
      expect(response.body.message).toContain('GET /api/workspaces/user1/datasets');
    });

    it('accepts a Bearer access token from the login route as well as an API key', async () => {
      const app = build();
      const login = await request(app).post('/api/security/token').send({ username: 'user1', password: DEMO.user1.password });
      expect(login.status).toBe(200);
      const response = await request(app).get('/api/datasets').set('Authorization', `Bearer ${login.body.access_token}`);
      expect(response.body).toEqual({ workspace: 'user1', datasets: [] });
    });
  });

  describe('bad input', () => {
    const post = (app: Parameters<typeof request>[0], body: string, type = 'application/json') =>
      request(app).post('/api/workspaces/user1/datasets/news/records').set(key('user1')).set('Content-Type', type).send(body);

    it.each([
      ['Upper-case', 'Upper'],
      ['a leading "-"', '-news'],
      ['a leading "_"', '_news'],
      ['a dot', 'news.v2'],
      ['an encoded slash', 'a%2Fb'],
      ['a space', 'my%20news'],
      ['over 100 characters', 'a'.repeat(101)],
    ])('refuses a dataset name with %s (400 invalid_dataset_name, on every route)', async (_what, name) => {
      const app = build();
      const base = `/api/workspaces/user1/datasets/${name}`;
      expectRefusal(await request(app).get(`${base}/records`).set(key('user1')), 400, 'invalid_dataset_name');
      expectRefusal(await request(app).post(`${base}/records`).set(key('user1')).send({ records: [{}] }), 400, 'invalid_dataset_name');
      expectRefusal(await request(app).post(`${base}/copy`).set(key('user1')).send({}), 400, 'invalid_dataset_name');
      expectRefusal(await request(app).delete(base).set(key('user1')), 400, 'invalid_dataset_name');
    });

    it('says how to fix a bad dataset name, without echoing a long one in full', async () => {
      const response = await request(build()).get(`/api/workspaces/user1/datasets/${'x'.repeat(5000)}/records`).set(key('user1'));
      expectRefusal(response, 400, 'invalid_dataset_name');
      expect(response.body.message).toMatch(/lowercase letters, digits/);
      expect(response.body.message.length).toBeLessThan(400);
    });

    it('refuses a body that is not JSON (415) or is malformed JSON (400)', async () => {
      const app = build();
      expectRefusal(await post(app, 'records=1', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
      expectRefusal(await post(app, '{"records": [1,}', 'text/plain'), 415, 'unsupported_media_type');
      expectRefusal(await post(app, '{"records": [{"a": 1},}'), 400, 'invalid_request');
      expectRefusal(await post(app, '"just a string"'), 400, 'invalid_request');
    });

    it.each([
      ['no body', undefined, /no "records" field/],
      ['an array body', '[{"a": 1}]', /no "records" field/],
      ['records that is an object', '{"records": {"a": 1}}', /must be an array/],
      ['no records at all', '{"records": []}', /is empty/],
      ['a string record', '{"records": [{"a": 1}, "text"]}', /records\[1\] is a string/],
      ['a null record', '{"records": [null]}', /records\[0\] is null/],
      ['an array record', '{"records": [[1, 2]]}', /records\[0\] is an array/],
      ['a number record', '{"records": [{}, {}, 7]}', /records\[2\] is a number/],
    ])('refuses %s with 400 invalid_records and says which record', async (_what, body, message) => {
      const store = new MemoryDatasetsStore();
      const app = build({ store });
      const req = request(app).post('/api/workspaces/user1/datasets/news/records').set(key('user1'));
      const response = body === undefined ? await req : await req.set('Content-Type', 'application/json').send(body);
      expectRefusal(response, 400, 'invalid_records');
      expect(response.body.message).toMatch(message);
      expect(store.list('user1')).toEqual([]);
    });

    it('refuses more than 10000 records in one request, asking for batches', async () => {
      const records = JSON.stringify({ records: Array.from({ length: 10_001 }, () => ({})) });
      const response = await post(build(), records);
      expectRefusal(response, 400, 'invalid_records');
      expect(response.body.message).toMatch(/at most 10000 per request/);
    });

    it('refuses records nested deeper than 32 levels, even hostile ones that would overflow the stack', async () => {
      const app = build();
      // A record of `depth` nested objects: {"a": {"a": ... {}}}.
      const nested = (depth: number) => `{"records": [${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}]}`;
      expect((await post(app, nested(32))).status).toBe(201);
      const tooDeep = await post(app, nested(33));
      expectRefusal(tooDeep, 400, 'invalid_records');
      expect(tooDeep.body.message).toMatch(/records\[0\] nests more than 32 levels/);
      const hostile = `{"records": [{"a": ${'['.repeat(200_000)}${']'.repeat(200_000)}}]}`;
      expectRefusal(await post(app, hostile), 400, 'invalid_records');
    });

    it('refuses a body over 1 MB with 413 and advice, before reading it into a dataset', async () => {
      const store = new MemoryDatasetsStore();
      const app = build({ store });
      const huge = JSON.stringify({ records: [{ text: 'x'.repeat(1024 * 1024 + 10) }] });
      const response = await post(app, huge);
      expectRefusal(response, 413, 'payload_too_large');
      expect(response.body.message).toMatch(/smaller batches/);
      expect(store.list('user1')).toEqual([]);
    });

    it('refuses a huge body from an anonymous client with 401, without parsing it', async () => {
      const huge = JSON.stringify({ records: [{ text: 'x'.repeat(1024 * 1024 + 10) }] });
      const response = await request(build()).post('/api/workspaces/user1/datasets/news/records').set('Content-Type', 'application/json').send(huge);
      expectRefusal(response, 401, 'missing_credentials');
    });

    it('answers 409 dataset_full when a dataset would grow beyond the store\'s limit', async () => {
      const app = build({ store: new MemoryDatasetsStore({ maxRecordsPerDataset: 2 }) });
      expect((await post(app, '{"records": [{}, {}]}')).status).toBe(201);
      const response = await post(app, '{"records": [{}]}');
      expectRefusal(response, 409, 'dataset_full');
      expect(response.body.message).toMatch(/at most 2 records/);
    });

    it('answers a malformed %-escape in the path with a JSON 400, not an HTML page with a stack trace', async () => {
      const app = build();
      expectRefusal(await request(app).get('/api/workspaces/user1/datasets/%E0%A4%A/records').set(key('user1')), 400, 'invalid_request');
      expectRefusal(await request(app).get('/api/workspaces/%E0%A4%A/datasets').set(key('user1')), 400, 'invalid_request');
      // Without credentials the plugin leaves the error to the app (it answers only its callers'): still a JSON 400.
      expectRefusal(await request(app).get('/api/workspaces/%E0%A4%A/datasets'), 400, 'invalid_request');
    });

    it('answers unknown API routes with a JSON 404', async () => {
      expectRefusal(await request(build()).get('/api/nothing-here').set(key('user1')), 404, 'not_found');
    });

    it('answers a failure of the store with a bare JSON 500, logged for the operator', async () => {
      const failing: DatasetsStore = {
        ...new MemoryDatasetsStore(),
        list: () => {
          throw new Error('disk on fire');
        },
      } as unknown as DatasetsStore;
      const logger = recordingLogger();
      const response = await request(build({ store: failing, logger })).get('/api/datasets').set(key('user1'));
      expectRefusal(response, 500, 'internal_error');
      expect(response.text).not.toContain('disk on fire');
      expect(logger.lines.join('\n')).toContain('disk on fire');
    });
  });

  describe('names that are prototype keys', () => {
    it('treats a dataset named "constructor" as any other: 404 until logged, then its own records', async () => {
      const app = build();
      expectRefusal(await request(app).get('/api/workspaces/user1/datasets/constructor/records').set(key('user1')), 404, 'dataset_not_found');
      expectRefusal(await request(app).delete('/api/workspaces/user1/datasets/constructor').set(key('user1')), 404, 'dataset_not_found');
      expectRefusal(await request(app).post('/api/workspaces/user1/datasets/constructor/copy').set(key('user1')).send({ name: 'x' }), 404, 'dataset_not_found');
      expect((await request(app).get('/api/datasets').set(key('user1'))).body.datasets).toEqual([]);
      expect((await request(app).post('/api/workspaces/user1/datasets/constructor/records').set(key('user1')).send({ records: [{ n: 1 }] })).status).toBe(201);
      expect((await request(app).get('/api/workspaces/user1/datasets/constructor/records').set(key('user1'))).body.records).toEqual([{ n: 1 }]);
      expect((await request(app).get('/api/datasets').set(key('user1'))).body.datasets).toEqual(['constructor']);
    });

    it('refuses a dataset named "__proto__" as malformed (Argilla names do not start with "_")', async () => {
      const app = build();
      expectRefusal(await request(app).get('/api/workspaces/user1/datasets/__proto__/records').set(key('user1')), 400, 'invalid_dataset_name');
      expectRefusal(await request(app).post('/api/workspaces/user1/datasets/__proto__/records').set(key('user1')).send({ records: [{}] }), 400, 'invalid_dataset_name');
    });

    it('stores a record key "__proto__" as data and gives it back, polluting nothing', async () => {
      const app = build();
      const body = '{"records": [{"__proto__": {"polluted": true}, "text": "x"}]}';
      await request(app).post('/api/workspaces/user1/datasets/d/records').set(key('user1')).set('Content-Type', 'application/json').send(body);
      const loaded = await request(app).get('/api/workspaces/user1/datasets/d/records').set(key('user1'));
      expect(loaded.text).toContain('"records":[{"__proto__":{"polluted":true},"text":"x"}]');
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    });

    it('gives no access to workspaces named like prototype keys', async () => {
      const app = build();
      for (const workspace of ['constructor', 'toString', 'hasOwnProperty']) {
        expectRefusal(await request(app).get(`/api/workspaces/${workspace}/datasets`).set(key('user1')), 403, 'workspace_forbidden');
        expectRefusal(await request(app).get(`/api/workspaces/${workspace}/datasets`).set(key('user3')), 403, 'workspace_forbidden');
      }
    });
  });

  describe('copying a dataset', () => {
    const seeded = () => {
      const store = new MemoryDatasetsStore();
      store.log({ workspace: 'client_projects', dataset: 'news' }, [{ n: 1 }, { n: 2 }]);
      store.log({ workspace: 'user1', dataset: 'private' }, [{ n: 9 }]);
      return { store, app: build({ store }) };
    };
    /** Copies the seeded dataset of `from` (client_projects/news or user1/private). */
    const copy = (app: Parameters<typeof request>[0], user: keyof typeof DEMO, from: 'client_projects' | 'user1', body: object) =>
      request(app).post(`/api/workspaces/${from}/datasets/${from === 'user1' ? 'private' : 'news'}/copy`).set(key(user)).send(body);

    it('copies into another workspace the user may access (201, Location), as an independent dataset', async () => {
      const { store, app } = seeded();
      const response = await copy(app, 'user2', 'client_projects', { target_workspace: 'user2', name: 'news-copy' });
      expect(response.status).toBe(201);
      expect(response.headers.location).toBe('/api/workspaces/user2/datasets/news-copy/records');
      expect(response.body).toEqual({
        workspace: 'user2',
        dataset: 'news-copy',
        records: 2,
        copied_from: { workspace: 'client_projects', dataset: 'news' },
      });
      store.log({ workspace: 'client_projects', dataset: 'news' }, [{ n: 3 }]);
      expect((await request(app).get('/api/workspaces/user2/datasets/news-copy/records').set(key('user2'))).body.records).toEqual([{ n: 1 }, { n: 2 }]);
    });

    it('keeps the name by default, and copies within the workspace when no target is given', async () => {
      const { store, app } = seeded();
      expect((await copy(app, 'user2', 'client_projects', { target_workspace: 'user2' })).body).toMatchObject({ workspace: 'user2', dataset: 'news' });
      expect((await copy(app, 'user2', 'client_projects', { name: 'news-v2' })).body).toMatchObject({ workspace: 'client_projects', dataset: 'news-v2' });
      expect(store.list('client_projects')).toEqual(['news', 'news-v2']);
    });

    it('refuses a target workspace the user may not access with 403, the same whether or not it exists', async () => {
      const { store, app } = seeded();
      const existing = await copy(app, 'user2', 'client_projects', { target_workspace: 'user1' });
      const missing = await copy(app, 'user2', 'client_projects', { target_workspace: 'no_such_team' });
      expectRefusal(existing, 403, 'workspace_forbidden');
      expect(missing.status).toBe(403);
      expect(missing.body).toEqual(existing.body);
      expect(store.list('user1')).toEqual(['private']);
    });

    it('refuses a source workspace the user may not access, even towards one they may', async () => {
      const { store, app } = seeded();
      expectRefusal(await copy(app, 'user2', 'user1', { target_workspace: 'user2' }), 403, 'workspace_forbidden');
      expect(store.list('user2')).toEqual([]);
    });

    it('lets a super-user copy between any known workspaces, but not into an unknown one', async () => {
      const { app } = seeded();
      expect((await copy(app, 'user3', 'user1', { target_workspace: 'client_projects' })).status).toBe(201);
      expectRefusal(await copy(app, 'user3', 'user1', { target_workspace: 'constructor' }), 403, 'workspace_forbidden');
    });

    it('checks the target against the users file in force now, after a reload', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'example-copy-'));
      try {
        const usersFile = path.join(dir, 'users.yml');
        copyFileSync(EXAMPLE_USERS_FILE, usersFile);
        const store = new MemoryDatasetsStore();
        store.log({ workspace: 'user2', dataset: 'news' }, [{}]);
        const built = exampleApp({ usersFile, store });
        apps.push(built);
        expect((await request(built.app).post('/api/workspaces/user2/datasets/news/copy').set(key('user2')).send({ target_workspace: 'client_projects' })).status).toBe(201);
        writeFileSync(usersFile, readFileSync(usersFile, 'utf8').replace("workspaces: ['client_projects']", 'workspaces: []'));
        await built.auth.reload();
        const response = await request(built.app).post('/api/workspaces/user2/datasets/news/copy').set(key('user2')).send({ target_workspace: 'client_projects', name: 'again' });
        expectRefusal(response, 403, 'workspace_forbidden');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('answers 404 for an unknown source and 409 for a name taken in the target', async () => {
      const { app } = seeded();
      expectRefusal(
        await request(app).post('/api/workspaces/client_projects/datasets/missing/copy').set(key('user2')).send({ target_workspace: 'user2' }),
        404,
        'dataset_not_found',
      );
      const taken = await copy(app, 'user2', 'client_projects', {});
      expectRefusal(taken, 409, 'dataset_exists');
      expect(taken.body.message).toMatch(/give the copy another "name"/);
    });

    it.each([
      ['a non-string target', { target_workspace: 42 }, 'invalid_copy_request'],
      ['an unknown field', { target: 'user2' }, 'invalid_copy_request'],
      ['a "__proto__" field', '{"__proto__": {"name": "x"}}', 'invalid_copy_request'],
      ['a malformed name', { name: 'Bad Name' }, 'invalid_copy_request'],
      ['an array body', '[]', 'invalid_copy_request'],
      ['a malformed target workspace', { target_workspace: '__proto__' }, 'invalid_workspace'],
    ])('refuses %s with 400', async (_what, body, code) => {
      const { app } = seeded();
      const req = request(app).post('/api/workspaces/client_projects/datasets/news/copy').set(key('user2')).set('Content-Type', 'application/json');
      expectRefusal(await req.send(typeof body === 'string' ? body : JSON.stringify(body)), 400, code);
    });
  });

  describe('deleting a dataset', () => {
    it('deletes with 204, then answers 404', async () => {
      const store = new MemoryDatasetsStore();
      store.log({ workspace: 'client_projects', dataset: 'news' }, [{}]);
      const app = build({ store });
      expectRefusal(await request(app).delete('/api/workspaces/client_projects/datasets/news').set(key('user1')), 403, 'workspace_forbidden');
      expect((await request(app).delete('/api/workspaces/client_projects/datasets/news').set(key('user2'))).status).toBe(204);
      expect(store.list('client_projects')).toEqual([]);
      expectRefusal(await request(app).delete('/api/workspaces/client_projects/datasets/news').set(key('user2')), 404, 'dataset_not_found');
    });
  });

  describe('secrets', () => {
    it('never puts an API key or password hash in an answer', async () => {
      const app = build();
      const answers = [
        await request(app).get('/api/me').set(key('user2')),
        await request(app).get('/api/workspaces/user1/datasets').set(key('user2')),
        await request(app).post('/api/workspaces/client_projects/datasets/x/copy').set(key('user2')).send({ target_workspace: 'user1' }),
      ];
      for (const answer of answers) {
        expect(answer.text).not.toContain(DEMO.user2.apiKey);
        expect(answer.text).not.toContain('$2y$');
      }
    });
  });
});

describe('the web pages', () => {
  const { app, auth } = exampleApp();
  afterAll(() => auth.close());

  it.each([
    ['/', 'text/html', 'id="login-form"'],
    ['/workspaces', 'text/html', 'id="workspace-switcher"'],
    ['/style.css', 'text/css', '.card'],
    ['/api.js', 'text/javascript', 'sessionStorage'],
  ])('serves %s with a strict Content-Security-Policy', async (url, type, content) => {
    const response = await request(app).get(url);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain(type);
    expect(response.text).toContain(content);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it.each(['/favicon.ico', '/favicon.svg'])('serves the icon at %s (browsers ask for /favicon.ico whatever the page links)', async (url) => {
    const response = await request(app).get(url);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('image/svg+xml');
    expect(response.body.toString()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(response.headers['cache-control']).toContain('max-age=');
  });

  it('links the icon from both pages', async () => {
    for (const url of ['/', '/workspaces']) {
      expect((await request(app).get(url)).text).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    }
  });

  it('has a login form that posts (so that no password ever goes into a URL) and no inline script', async () => {
    const response = await request(app).get('/');
    expect(response.text).toMatch(/<form id="login-form" method="post" action="\/api\/security\/token">/);
    expect(response.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
