import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as rg from '../../example-app/client';
import { ApiError, Client } from '../../example-app/client';
import { DEMO, startExampleApp } from './helpers';

/** The error a promise rejects with, so its fields can be asserted on. */
async function rejectionOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected the promise to reject');
}

describe('the TypeScript client, against the example app over real HTTP', () => {
  let server: Awaited<ReturnType<typeof startExampleApp>>;
  beforeAll(async () => {
    server = await startExampleApp();
  });
  afterAll(() => server.close());

  const connect = async (user: keyof typeof DEMO, workspace?: string) => {
    const client = new Client();
    await client.init({ apiUrl: server.url, apiKey: DEMO[user].apiKey, ...(workspace ? { workspace } : {}) });
    return client;
  };

  it('init checks the API key and starts in the user\'s own workspace', async () => {
    const client = new Client();
    const me = await client.init({ apiUrl: `${server.url}/`, apiKey: DEMO.user2.apiKey });
    expect(me).toMatchObject({ username: 'user2', workspaces: ['client_projects', 'user2'], superuser: false });
    expect(client.getWorkspace()).toBe('user2');
  });

  it('init with a workspace selects it', async () => {
    expect((await connect('user2', 'client_projects')).getWorkspace()).toBe('client_projects');
  });

  it('init refuses a workspace the user may not access, with a clear error', async () => {
    const error = await rejectionOf(new Client().init({ apiUrl: server.url, apiKey: DEMO.user1.apiKey, workspace: 'client_projects' }));
    expect(error.code).toBe('workspace_forbidden');
    expect(error.status).toBe(403);
    expect(error.message).toBe('User "user1" may not access workspace "client_projects". The workspaces this user may access: user1.');
  });

  it('init with a wrong API key fails with the server\'s code and message', async () => {
    const error = await rejectionOf(new Client().init({ apiUrl: server.url, apiKey: 'not-a-key' }));
    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_api_key');
    expect(error.message).toMatch(/API key is not valid/);
  });

  it('setWorkspace refuses an inaccessible workspace and keeps the current one', async () => {
    const client = await connect('user2');
    await client.setWorkspace('client_projects');
    expect(client.getWorkspace()).toBe('client_projects');
    const error = await rejectionOf(client.setWorkspace('user1'));
    expect(error.code).toBe('workspace_forbidden');
    expect(error.message).toContain('client_projects, user2');
    expect(client.getWorkspace()).toBe('client_projects');
  });

  it('logs, loads and lists in the current workspace', async () => {
    const client = await connect('user2', 'client_projects');
    expect(await client.log([{ text: 'a' }, { text: 'b' }], 'client-log')).toEqual({ workspace: 'client_projects', dataset: 'client-log', logged: 2, total: 2 });
    expect(await client.load('client-log')).toEqual([{ text: 'a' }, { text: 'b' }]);
    expect(await client.listDatasets()).toContain('client-log');
    await client.setWorkspace('user2');
    expect(await client.listDatasets()).not.toContain('client-log');
    const missing = await rejectionOf(client.load('client-log'));
    expect(missing).toMatchObject({ code: 'dataset_not_found', status: 404 });
  });

  it('copies to another workspace, and the server refuses one the user may not access', async () => {
    const client = await connect('user2', 'user2');
    await client.log([{ n: 1 }], 'to-copy');
    expect(await client.copy('to-copy', { nameOfCopy: 'copied', workspace: 'client_projects' })).toMatchObject({
      workspace: 'client_projects',
      dataset: 'copied',
      records: 1,
      copied_from: { workspace: 'user2', dataset: 'to-copy' },
    });
    expect(await client.copy('to-copy', { nameOfCopy: 'same-workspace' })).toMatchObject({ workspace: 'user2', dataset: 'same-workspace' });
    const refused = await rejectionOf(client.copy('to-copy', { nameOfCopy: 'x', workspace: 'user1' }));
    expect(refused).toMatchObject({ code: 'workspace_forbidden', status: 403 });
    expect(refused.message).toMatch(/may not access this workspace/);
  });

  it('turns the server\'s 400 into an error with its code and message', async () => {
    const client = await connect('user1');
    const error = await rejectionOf(client.log([{ ok: true }], 'Bad Name'));
    expect(error.code).toBe('invalid_dataset_name');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/"Bad Name" is not valid/);
    const records = await rejectionOf(client.log(['not an object'] as unknown as rg.DatasetRecord[], 'fine'));
    expect(records.code).toBe('invalid_records');
  });

  it('refuses "." and ".." as names before sending: URL parsing would turn them into another path', async () => {
    const client = await connect('user1');
    await expect(client.load('..')).rejects.toMatchObject({ code: 'invalid_dataset_name', status: 0 });
    await expect(client.listDatasets('.')).rejects.toMatchObject({ code: 'invalid_workspace_name', status: 0 });
  });

  it('deletes a dataset', async () => {
    const client = await connect('user1');
    await client.log([{}], 'to-delete');
    await client.delete('to-delete');
    expect(await client.listDatasets()).not.toContain('to-delete');
  });

  it('mirrors the Python client\'s module functions: init, setWorkspace, getWorkspace, log, load, copy', async () => {
    await rg.init({ apiUrl: server.url, apiKey: DEMO.user3.apiKey, workspace: 'user1' });
    expect(rg.getWorkspace()).toBe('user1');
    await rg.log([{ text: 'from the super-user' }], 'module-api');
    expect(await rg.load('module-api')).toEqual([{ text: 'from the super-user' }]);
    await rg.copy('module-api', { nameOfCopy: 'module-api', workspace: 'client_projects' });
    await rg.setWorkspace('client_projects');
    expect(await rg.listDatasets()).toContain('module-api');
    await expect(rg.setWorkspace('not_a_workspace')).rejects.toMatchObject({ code: 'workspace_forbidden' });
    await rg.deleteDataset('module-api');
    expect(await rg.listDatasets()).not.toContain('module-api');
  });

  it('sends the API key as X-Argilla-Api-Key and the workspace in the route, never in the query string', async () => {
    const seen: Array<{ url: string; headers: Record<string, unknown> }> = [];
    const spy = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ username: 'user2', email: null, full_name: null, disabled: false, workspaces: ['user2'], superuser: false, records: [] }));
    });
    await new Promise<void>((resolve) => spy.listen(0, '127.0.0.1', resolve));
    try {
      const client = new Client();
      await client.init({ apiUrl: `http://127.0.0.1:${(spy.address() as AddressInfo).port}`, apiKey: 'the-key' });
      await client.load('news');
      expect(seen.map((request) => request.url)).toEqual(['/api/me', '/api/workspaces/user2/datasets/news/records']);
      for (const request of seen) expect(request.headers['x-argilla-api-key']).toBe('the-key');
    } finally {
      spy.closeAllConnections();
      await new Promise<void>((resolve) => spy.close(() => resolve()));
    }
  });
});

describe('the TypeScript client without a server', () => {
  it('reports a server it cannot reach as network_error with the URL', async () => {
    // Port 9 (discard): privileged, so no test server of a parallel worker can take it, as an ephemeral port could be.
    const port = 9;
    const error = await rejectionOf(new Client().init({ apiUrl: `http://127.0.0.1:${port}`, apiKey: 'k' }));
    expect(error.code).toBe('network_error');
    expect(error.status).toBe(0);
    expect(error.message).toContain(`http://127.0.0.1:${port}`);
  });

  it('refuses to work before init, and refuses bad init options', async () => {
    expect(() => new Client().getWorkspace()).toThrow(/call init/);
    await expect(new Client().init({ apiKey: '' })).rejects.toThrow(/needs the API key/);
    await expect(new Client().init({ apiKey: 'k', apiUrl: 'localhost:6900' })).rejects.toThrow(/must be an http\(s\) URL/);
  });
});
