// The example app's answers to the Argilla and Rubrix clients' dataset calls, over HTTP, with
// what the real clients never send too (argilla-clients.spec.ts runs the clients themselves).
import request from 'supertest';
import { MAX_RECORDS_PER_REQUEST } from '../../example-app/datasets-input';
import { MemoryDatasetsStore } from '../../example-app/datasets-store';
import { DEMO, exampleApp } from './helpers';

const key = (user: keyof typeof DEMO) => ({ 'X-Argilla-Api-Key': DEMO[user].apiKey, Authorization: `Bearer ${DEMO[user].apiKey}` });
/** What the 1.1.1 client sends once set_workspace chose a workspace. */
const inWorkspace = (user: keyof typeof DEMO, workspace: string) => ({ ...key(user), 'X-Argilla-Workspace': workspace, 'X-Rubrix-Workspace': workspace });

/** A refusal as these routes answer it: JSON with `detail` (what the clients print) the same as `message`. */
function expectRefusal(response: request.Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ code, message: expect.any(String), detail: response.body.message });
  expect(response.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

/** A record as `rg.TextClassificationRecord(text=..., id=...)` sends it (the fields that matter here). */
const record = (id: string | number | null, text = `text of ${id}`) => ({ id, inputs: { text }, multi_label: false, metadata: { n: id }, status: 'Default' });

const apps: Array<ReturnType<typeof exampleApp>> = [];
function build(store = new MemoryDatasetsStore()) {
  const built = exampleApp({ store });
  apps.push(built);
  return { app: built.app, store };
}
afterAll(() => {
  for (const { auth } of apps) auth.close();
});

const bulk = (app: ReturnType<typeof build>['app'], name: string, records: unknown[], headers = key('user1')) =>
  request(app).post(`/api/datasets/${name}/TextClassification:bulk`).set(headers).send({ tags: {}, metadata: {}, records });
const data = (app: ReturnType<typeof build>['app'], name: string, query = '', body: object = {}, headers = key('user1')) =>
  request(app).post(`/api/datasets/${name}/TextClassification/data${query}`).set(headers).send(body);
/** A data request, its answer read as text: JSON lines are no one JSON document (Argilla labels them application/json all the same). */
const dataText = (app: ReturnType<typeof build>['app'], name: string, query = '', body: object = {}) =>
  data(app, name, query, body).parse((res, done) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
    });
    res.on('end', () => done(null, text));
  });
/** The records of a data answer: one JSON record a line. */
const lines = (response: request.Response) =>
  (response.body as string)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { id: unknown });

describe('every route of the clients', () => {
  const { app } = build();
  const routes = [
    ['GET /api/datasets/news', () => request(app).get('/api/datasets/news')],
    ['DELETE /api/datasets/news', () => request(app).delete('/api/datasets/news')],
    ['PUT /api/datasets/news:copy', () => request(app).put('/api/datasets/news:copy').send({ name: 'copy' })],
    ['POST /api/datasets/news/TextClassification:bulk', () => request(app).post('/api/datasets/news/TextClassification:bulk').send({ records: [record(1)] })],
    ['POST /api/datasets/news/TextClassification/data', () => request(app).post('/api/datasets/news/TextClassification/data').send({})],
  ] as const;

  it.each(routes)('%s authenticates first', async (_route, call) => {
    expectRefusal(await call(), 401, 'missing_credentials');
  });

  it.each(routes)("%s checks the request's workspace, from the clients' headers or ?workspace=", async (_route, call) => {
    expectRefusal(await call().set(inWorkspace('user1', 'client_projects')), 403, 'workspace_forbidden');
    expectRefusal(await call().set({ ...key('user1'), 'X-Rubrix-Workspace': 'client_projects' }), 403, 'workspace_forbidden');
    expectRefusal(await call().query({ workspace: 'client_projects' }).set(key('user1')), 403, 'workspace_forbidden');
  });
});

describe('rg.log: POST /api/datasets/:name/TextClassification:bulk', () => {
  it('creates the dataset in the request workspace and answers {dataset, processed, failed}', async () => {
    const { app, store } = build();
    const response = await bulk(app, 'news', [record('a'), record('b')], inWorkspace('user2', 'client_projects'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ dataset: 'news', processed: 2, failed: 0 });
    expect(store.load({ workspace: 'client_projects', dataset: 'news' })).toEqual([record('a'), record('b')]);
    expect(store.list('user2')).toEqual([]);
  });

  it('gives a record sent with "id": null an id of its own, as Argilla does', async () => {
    const { app, store } = build();
    await bulk(app, 'news', [record(null), record(null)]);
    const ids = (store.load({ workspace: 'user1', dataset: 'news' }) ?? []).map((logged) => logged.id);
    expect(ids).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('replaces a record logged again with its id (1 and "1" are one id, as in Argilla)', async () => {
    const { app, store } = build();
    await bulk(app, 'news', [record(1, 'first'), record('x')]);
    await bulk(app, 'news', [record('1', 'second')]);
    expect((store.load({ workspace: 'user1', dataset: 'news' }) ?? []).map((logged) => (logged.inputs as { text: string }).text)).toEqual(['second', 'text of x']);
  });

  it.each([
    ['no records field', { tags: {} }],
    ['records that are not a list', { records: { id: 1 } }],
    ['a record that is not an object', { records: [record(1), 'text'] }],
    ['a record without inputs', { records: [{ id: 1, text: 'x' }] }],
    ['empty inputs', { records: [{ id: 1, inputs: {} }] }],
    ['inputs that are not texts', { records: [{ id: 1, inputs: { text: 3 } }] }],
    ['a fractional id', { records: [{ ...record(1), id: 1.5 }] }],
    ['an object as id', { records: [{ ...record(1), id: { a: 1 } }] }],
    ['an empty id', { records: [{ ...record(1), id: '' }] }],
    ['a multi_label that is not a boolean', { records: [{ ...record(1), multi_label: 'yes' }] }],
    ['too many records', { records: Array.from({ length: MAX_RECORDS_PER_REQUEST + 1 }, (_, index) => record(index)) }],
  ])('refuses %s with 400 invalid_records, saying what a record needs', async (_what, body) => {
    const { app, store } = build();
    const response = await request(app).post('/api/datasets/news/TextClassification:bulk').set(key('user1')).send(body);
    expectRefusal(response, 400, 'invalid_records');
    expect(store.list('user1')).toEqual([]);
  });

  it('names the record at fault', async () => {
    const { app } = build();
    const response = await bulk(app, 'news', [record(1), { id: 2, text: 'no inputs' }]);
    expect(response.body.detail).toContain('records[1] has no valid "inputs"');
  });

  it('refuses records nested deeper than 32 levels', async () => {
    let deep: object = { leaf: true };
    for (let level = 0; level < 40; level++) deep = { deeper: deep };
    const { app } = build();
    expectRefusal(await bulk(app, 'news', [{ ...record(1), metadata: deep }]), 400, 'invalid_records');
  });

  it('keeps TextClassification only: another task is a 400 that says so', async () => {
    const { app } = build();
    const response = await request(app).post('/api/datasets/news/TokenClassification:bulk').set(key('user1')).send({ records: [] });
    expectRefusal(response, 400, 'unsupported_task');
    expect(response.body.detail).toContain('"TokenClassification"');
  });

  it('refuses a bad dataset name, a body that is not JSON, and one over 10 MB, with a JSON answer each', async () => {
    const { app } = build();
    expectRefusal(await bulk(app, 'News', [record(1)]), 400, 'invalid_dataset_name');
    expectRefusal(await request(app).post('/api/datasets/news/TextClassification:bulk').set(key('user1')).type('text').send('records'), 415, 'unsupported_media_type');
    expectRefusal(await request(app).post('/api/datasets/news/TextClassification:bulk').set(key('user1')).type('json').send('{"records": ['), 400, 'invalid_request');
    const huge = await bulk(app, 'news', [record(1, 'x'.repeat(11 * 1024 * 1024))]);
    expectRefusal(huge, 413, 'payload_too_large');
    expect(huge.body.detail).toContain('chunk_size');
  });

  it('refuses to mix its records into a dataset logged through the datasets API', async () => {
    const { app, store } = build();
    store.log({ workspace: 'user1', dataset: 'notes' }, [{ text: 'free-form' }]);
    expectRefusal(await bulk(app, 'notes', [record(1)]), 409, 'dataset_exists');
  });

  it('holds a dataset to the store limit', async () => {
    const { app } = build(new MemoryDatasetsStore({ maxRecordsPerDataset: 2 }));
    expect((await bulk(app, 'news', [record(1), record(2)])).status).toBe(200);
    expectRefusal(await bulk(app, 'news', [record(3)]), 409, 'dataset_full');
  });
});

describe('rg.load: GET /api/datasets/:name, then POST …/TextClassification/data', () => {
  const seeded = () => {
    const built = build();
    built.store.upsert({ workspace: 'user1', dataset: 'news' }, [record('b'), record(10), record('a'), record(9)], (logged) => String(logged.id));
    return built;
  };

  it('describes the dataset as the clients parse it', async () => {
    const { app } = seeded();
    const response = await request(app).get('/api/datasets/news').set(key('user1'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ name: 'news', task: 'TextClassification', owner: 'user1', tags: {}, metadata: {} });
  });

  it('answers 404 with the way to list datasets for a missing one, and 400 for a bad name', async () => {
    const { app } = seeded();
    const missing = await request(app).get('/api/datasets/other').set(key('user1'));
    expectRefusal(missing, 404, 'dataset_not_found');
    expect(missing.body.detail).toContain('GET /api/workspaces/user1/datasets');
    expectRefusal(await request(app).get('/api/datasets/__proto__').set(key('user1')), 400, 'invalid_dataset_name');
  });

  it('streams the records as JSON lines, ordered by id as text (as Argilla orders them)', async () => {
    const { app } = seeded();
    const response = await dataText(app, 'news');
    expect(response.status).toBe(200);
    expect(response.type).toBe('application/json');
    expect((response.body as string).endsWith('\n')).toBe(true);
    expect(lines(response).map((logged) => logged.id)).toEqual([10, 9, 'a', 'b']);
  });

  it('selects by ids, after id_from, and at most limit records', async () => {
    const { app } = seeded();
    expect(lines(await dataText(app, 'news', '', { ids: ['a', 9], query_text: null })).map((logged) => logged.id)).toEqual([9, 'a']);
    expect(lines(await dataText(app, 'news', '?limit=2')).map((logged) => logged.id)).toEqual([10, 9]);
    expect(lines(await dataText(app, 'news', '?limit=2&id_from=9')).map((logged) => logged.id)).toEqual(['a', 'b']);
  });

  it('refuses a search rather than ignore it, and a limit that is no whole number', async () => {
    const { app } = seeded();
    const search = await data(app, 'news', '', { ids: null, query_text: 'sports', predicted_as: [], status: [] });
    expectRefusal(search, 400, 'unsupported_query');
    expect(search.body.detail).toContain('"query_text"');
    expectRefusal(await data(app, 'news', '', { annotated_as: ['sports'] }), 400, 'unsupported_query');
    expectRefusal(await data(app, 'news', '?limit=0'), 400, 'unsupported_query');
    expectRefusal(await data(app, 'news', '?limit=ten'), 400, 'unsupported_query');
    expectRefusal(await data(app, 'news', '?id_from=a&id_from=b'), 400, 'unsupported_query');
  });

  it('answers an empty dataset with an empty body, which the clients read as no records', async () => {
    const { app } = build();
    expect((await bulk(app, 'empty', [])).body).toEqual({ dataset: 'empty', processed: 0, failed: 0 });
    const response = await dataText(app, 'empty');
    expect(response.status).toBe(200);
    expect(response.body).toBe('');
  });

  it('refuses, saying where to load it, a dataset logged through the datasets API without TextClassification inputs', async () => {
    const { app, store } = build();
    store.log({ workspace: 'user1', dataset: 'notes' }, [{ text: 'free-form' }]);
    const response = await request(app).get('/api/datasets/notes').set(key('user1'));
    expectRefusal(response, 400, 'not_text_classification');
    expect(response.body.detail).toContain('GET /api/workspaces/user1/datasets/notes/records');
    expectRefusal(await data(app, 'notes'), 400, 'not_text_classification');
  });
});

describe('rg.copy: PUT /api/datasets/:name:copy', () => {
  const seeded = () => {
    const built = build();
    built.store.upsert({ workspace: 'client_projects', dataset: 'news' }, [record(1), record(2)], (logged) => String(logged.id));
    built.store.upsert({ workspace: 'user2', dataset: 'taken' }, [record(9)], (logged) => String(logged.id));
    return built;
  };
  const copy = (app: ReturnType<typeof build>['app'], body: object, headers = inWorkspace('user2', 'client_projects')) =>
    request(app).put('/api/datasets/news:copy').set(headers).send(body);

  it('copies into the same workspace, or into target_workspace, answering the copy as a dataset', async () => {
    const { app, store } = seeded();
    const same = await copy(app, { name: 'news-copy', target_workspace: null, tags: {}, metadata: {} });
    expect(same.status).toBe(200);
    expect(same.body).toEqual({ name: 'news-copy', task: 'TextClassification', owner: 'client_projects', tags: {}, metadata: {} });
    expect((await copy(app, { name: 'news', target_workspace: 'user2' })).body.owner).toBe('user2');
    expect(store.load({ workspace: 'user2', dataset: 'news' })).toEqual([record(1), record(2)]);
  });

  it('needs access to the target workspace too, with one answer whether it exists or not', async () => {
    const { app, store } = seeded();
    const existing = await copy(app, { name: 'x', target_workspace: 'user1' });
    const missing = await copy(app, { name: 'x', target_workspace: 'nobody-has-this' });
    expectRefusal(existing, 403, 'workspace_forbidden');
    expect(missing.body).toEqual(existing.body);
    expect(store.list('user1')).toEqual([]);
  });

  it('refuses a copy over a dataset, from a missing one, and without a valid name', async () => {
    const { app } = seeded();
    expectRefusal(await copy(app, { name: 'taken', target_workspace: 'user2' }), 409, 'dataset_exists');
    expectRefusal(await request(app).put('/api/datasets/missing:copy').set(key('user2')).send({ name: 'x' }), 404, 'dataset_not_found');
    const nameless = await copy(app, {});
    expectRefusal(nameless, 400, 'invalid_copy_request');
    expect(nameless.body.detail).toContain('name_of_copy');
    expectRefusal(await copy(app, { name: 'Bad Name' }), 400, 'invalid_copy_request');
    expectRefusal(await copy(app, { name: 'x', target_workspace: 7 }), 400, 'invalid_copy_request');
    expectRefusal(await copy(app, { name: 'x', target_workspace: '../etc' }), 400, 'invalid_workspace');
  });
});

describe('rg.delete: DELETE /api/datasets/:name', () => {
  it('answers 200 with JSON (the clients read the body), also when there was no such dataset, as Argilla does', async () => {
    const { app, store } = build();
    await bulk(app, 'news', [record(1)]);
    const deleted = await request(app).delete('/api/datasets/news').set(key('user1'));
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ workspace: 'user1', dataset: 'news', deleted: true });
    expect(store.list('user1')).toEqual([]);
    expect((await request(app).delete('/api/datasets/news').set(key('user1'))).body).toEqual({ workspace: 'user1', dataset: 'news', deleted: false });
  });

  it('leaves the datasets API its own delete by route: 204, then 404', async () => {
    const { app } = build();
    await bulk(app, 'news', [record(1)]);
    expect((await request(app).delete('/api/workspaces/user1/datasets/news').set(key('user1'))).status).toBe(204);
    expectRefusal(await request(app).delete('/api/workspaces/user1/datasets/news').set(key('user1')), 404, 'dataset_not_found');
  });
});

describe('beside the datasets API', () => {
  it('shadows none of its routes: records, copy and listing by the request workspace still answer', async () => {
    const { app } = build();
    expect((await request(app).post('/api/datasets/news/records').set(key('user1')).send({ records: [{ text: 'x' }] })).status).toBe(201);
    expect((await request(app).post('/api/datasets/news/copy').set(key('user1')).send({ name: 'news-2' })).status).toBe(201);
    expect((await request(app).get('/api/datasets').set(key('user1'))).body).toEqual({ workspace: 'user1', datasets: ['news', 'news-2'] });
    expect((await request(app).get('/api/datasets/news/records').set(key('user1'))).body.records).toEqual([{ text: 'x' }]);
  });

  it('lists what the clients logged through the datasets API too', async () => {
    const { app } = build();
    await bulk(app, 'news', [record(1)], inWorkspace('user2', 'client_projects'));
    const listed = await request(app).get('/api/workspaces/client_projects/datasets').set(key('user2'));
    expect(listed.body.datasets).toEqual(['news']);
  });

  it('answers the calls it does not serve with a JSON 404 that says which it does', async () => {
    const { app } = build();
    for (const call of [request(app).put('/api/datasets/news:close'), request(app).delete('/api/datasets/news/data'), request(app).get('/api/metrics')]) {
      const response = await call.set(key('user1'));
      expectRefusal(response, 404, 'not_found');
      expect(response.body.detail).toContain('log, load, copy, delete');
    }
  });
});
