import { MemoryDatasetsStore } from '../../example-app/datasets-store';

const ref = (workspace: string, dataset: string) => ({ workspace, dataset });

describe('MemoryDatasetsStore', () => {
  it('logs records into a new dataset, appends to it, and loads them back in order', () => {
    const store = new MemoryDatasetsStore();
    expect(store.log(ref('team', 'news'), [{ text: 'a' }])).toEqual({ ok: true, logged: 1, total: 1, created: true });
    expect(store.log(ref('team', 'news'), [{ text: 'b' }, { text: 'c' }])).toEqual({ ok: true, logged: 2, total: 3, created: false });
    expect(store.load(ref('team', 'news'))).toEqual([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
    expect(store.list('team')).toEqual(['news']);
  });

  it('upserts records by key: a known key replaces its record in place, a new one is appended', () => {
    const store = new MemoryDatasetsStore();
    const byId = (record: Record<string, unknown>) => String(record.id);
    expect(store.upsert(ref('team', 'news'), [{ id: 1, v: 'a' }, { id: 2, v: 'b' }], byId)).toEqual({ ok: true, logged: 2, total: 2, created: true });
    expect(store.upsert(ref('team', 'news'), [{ id: 2, v: 'B' }, { id: 3, v: 'c' }], byId)).toEqual({ ok: true, logged: 2, total: 3, created: false });
    expect(store.load(ref('team', 'news'))).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'B' }, { id: 3, v: 'c' }]);
  });

  it('upserts several records of one key in one call as one, the last given', () => {
    const store = new MemoryDatasetsStore();
    const byId = (record: Record<string, unknown>) => String(record.id);
    expect(store.upsert(ref('w', 'd'), [{ id: 'x', v: 1 }, { id: 'y', v: 2 }, { id: 'x', v: 3 }], byId)).toMatchObject({ ok: true, total: 2 });
    expect(store.load(ref('w', 'd'))).toEqual([{ id: 'x', v: 3 }, { id: 'y', v: 2 }]);
  });

  it('counts only new keys towards the record limit of a dataset, and changes nothing when over it', () => {
    const store = new MemoryDatasetsStore({ maxRecordsPerDataset: 2 });
    const byId = (record: Record<string, unknown>) => String(record.id);
    store.upsert(ref('w', 'd'), [{ id: 1 }, { id: 2 }], byId);
    expect(store.upsert(ref('w', 'd'), [{ id: 1, v: 'again' }], byId)).toMatchObject({ ok: true, total: 2 });
    expect(store.upsert(ref('w', 'd'), [{ id: 2, v: 'lost' }, { id: 3 }], byId)).toEqual({ ok: false, reason: 'full', limit: 2 });
    expect(store.load(ref('w', 'd'))).toEqual([{ id: 1, v: 'again' }, { id: 2 }]);
    expect(store.upsert(ref('w', 'new'), [{ id: 1 }, { id: 2 }, { id: 3 }], byId)).toEqual({ ok: false, reason: 'full', limit: 2 });
    expect(store.list('w')).toEqual(['d']);
  });

  it('keeps workspaces apart and lists names sorted', () => {
    const store = new MemoryDatasetsStore();
    store.log(ref('a', 'zeta'), [{}]);
    store.log(ref('a', 'alpha'), [{}]);
    store.log(ref('b', 'other'), [{}]);
    expect(store.list('a')).toEqual(['alpha', 'zeta']);
    expect(store.list('b')).toEqual(['other']);
    expect(store.list('c')).toEqual([]);
    expect(store.load(ref('b', 'zeta'))).toBeUndefined();
  });

  it('never lets a caller change stored records through the objects it gave or got', () => {
    const store = new MemoryDatasetsStore();
    const given = { text: 'original', tags: ['x'] };
    store.log(ref('w', 'd'), [given]);
    given.text = 'changed by caller';
    given.tags.push('y');
    const loaded = store.load(ref('w', 'd')) ?? [];
    (loaded[0] as { text: string }).text = 'changed after load';
    expect(store.load(ref('w', 'd'))).toEqual([{ text: 'original', tags: ['x'] }]);
  });

  it('copies a dataset into another workspace as an independent dataset', () => {
    const store = new MemoryDatasetsStore();
    store.log(ref('src', 'news'), [{ n: 1 }, { n: 2 }]);
    expect(store.copy(ref('src', 'news'), ref('dst', 'news-copy'))).toEqual({ ok: true, records: 2 });
    store.log(ref('src', 'news'), [{ n: 3 }]);
    expect(store.load(ref('dst', 'news-copy'))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(store.list('dst')).toEqual(['news-copy']);
  });

  it('refuses to copy a missing dataset or over an existing one', () => {
    const store = new MemoryDatasetsStore();
    store.log(ref('src', 'news'), [{ n: 1 }]);
    store.log(ref('dst', 'taken'), [{ n: 9 }]);
    expect(store.copy(ref('src', 'missing'), ref('dst', 'x'))).toEqual({ ok: false, reason: 'not_found' });
    expect(store.copy(ref('src', 'news'), ref('dst', 'taken'))).toEqual({ ok: false, reason: 'exists' });
    expect(store.load(ref('dst', 'taken'))).toEqual([{ n: 9 }]);
  });

  it('deletes datasets and forgets emptied workspaces', () => {
    const store = new MemoryDatasetsStore();
    store.log(ref('w', 'd'), [{}]);
    expect(store.delete(ref('w', 'd'))).toBe(true);
    expect(store.delete(ref('w', 'd'))).toBe(false);
    expect(store.list('w')).toEqual([]);
    expect(store.load(ref('w', 'd'))).toBeUndefined();
  });

  it('refuses records beyond maxRecordsPerDataset, keeping the dataset as it was', () => {
    const store = new MemoryDatasetsStore({ maxRecordsPerDataset: 3 });
    store.log(ref('w', 'd'), [{ n: 1 }, { n: 2 }]);
    expect(store.log(ref('w', 'd'), [{ n: 3 }, { n: 4 }])).toEqual({ ok: false, reason: 'full', limit: 3 });
    expect(store.load(ref('w', 'd'))).toHaveLength(2);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'treats %s as an ordinary dataset and workspace name',
    (name) => {
      const store = new MemoryDatasetsStore();
      expect(store.list(name)).toEqual([]);
      expect(store.load(ref('w', name))).toBeUndefined();
      expect(store.load(ref(name, name))).toBeUndefined();
      expect(store.delete(ref(name, name))).toBe(false);
      expect(store.copy(ref('w', name), ref('v', 'x'))).toEqual({ ok: false, reason: 'not_found' });
      store.log(ref(name, name), [{ n: 1 }]);
      expect(store.list(name)).toEqual([name]);
      expect(store.load(ref(name, name))).toEqual([{ n: 1 }]);
      expect(store.list('other')).toEqual([]);
      expect(({} as Record<string, unknown>).n).toBeUndefined();
    },
  );

  it('keeps a record key "__proto__" as data, without touching any prototype', () => {
    const store = new MemoryDatasetsStore();
    const record = JSON.parse('{"__proto__": {"polluted": true}, "text": "x"}') as Record<string, unknown>;
    store.log(ref('w', 'd'), [record]);
    const [loaded] = store.load(ref('w', 'd')) ?? [];
    expect(Object.keys(loaded ?? {})).toEqual(['__proto__', 'text']);
    // (jest runs tests in a vm context: the prototype is an Object.prototype, maybe not this realm's.)
    expect(Object.getPrototypeOf(loaded)).not.toHaveProperty('polluted');
    expect((loaded as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
