/** A record logged into a dataset: any JSON object. */
export type DatasetRecord = Record<string, unknown>;

/** One dataset, named by its workspace and its name. */
export interface DatasetRef {
  workspace: string;
  dataset: string;
}

export type LogResult = { ok: true; logged: number; total: number; created: boolean } | { ok: false; reason: 'full'; limit: number };
export type CopyResult = { ok: true; records: number } | { ok: false; reason: 'not_found' | 'exists' };

/**
 * Where the example keeps datasets, per workspace. Swap in a database behind the same
 * interface. Names arrive already checked by the routes; the store trusts no name to be
 * "safe" all the same (Maps only), and hands out copies so callers cannot change what it holds.
 */
export interface DatasetsStore {
  /** Dataset names of a workspace, sorted; empty for a workspace with none. */
  list(workspace: string): string[];
  /** Appends records to a dataset, creating it if needed. */
  log(ref: DatasetRef, records: readonly DatasetRecord[]): LogResult;
  /**
   * Logs records by key, as Argilla logs records by id: a record whose key is in the dataset
   * replaces that record in place, any other is appended (of several with one key, the last wins).
   */
  upsert(ref: DatasetRef, records: readonly DatasetRecord[], keyOf: (record: DatasetRecord) => string): LogResult;
  /** The records of a dataset, or undefined when there is no such dataset. */
  load(ref: DatasetRef): DatasetRecord[] | undefined;
  /** Copies a dataset's records into a new dataset; never overwrites one. */
  copy(from: DatasetRef, to: DatasetRef): CopyResult;
  /** Deletes a dataset; false when there was none. */
  delete(ref: DatasetRef): boolean;
}

export interface MemoryDatasetsStoreOptions {
  /** Most records one dataset may hold, so one client cannot fill the process's memory. Default: 100 000. */
  maxRecordsPerDataset?: number;
}

/** Datasets in memory: a demo, gone at restart. Maps, never plain objects, so `__proto__` is just a name. */
export class MemoryDatasetsStore implements DatasetsStore {
  private readonly byWorkspace = new Map<string, Map<string, DatasetRecord[]>>();
  private readonly maxRecords: number;

  constructor(options: MemoryDatasetsStoreOptions = {}) {
    this.maxRecords = options.maxRecordsPerDataset ?? 100_000;
  }

  list(workspace: string): string[] {
    return [...(this.byWorkspace.get(workspace)?.keys() ?? [])].sort();
  }

  log(ref: DatasetRef, records: readonly DatasetRecord[]): LogResult {
    const existing = this.byWorkspace.get(ref.workspace)?.get(ref.dataset);
    const total = (existing?.length ?? 0) + records.length;
    if (total > this.maxRecords) return { ok: false, reason: 'full', limit: this.maxRecords };
    // Cloned in, cloned out: the caller's objects and the stored ones never alias.
    const cloned = records.map((record) => structuredClone(record));
    if (existing) existing.push(...cloned);
    else this.datasetsOf(ref.workspace).set(ref.dataset, cloned);
    return { ok: true, logged: records.length, total, created: !existing };
  }

  upsert(ref: DatasetRef, records: readonly DatasetRecord[], keyOf: (record: DatasetRecord) => string): LogResult {
    const existing = this.byWorkspace.get(ref.workspace)?.get(ref.dataset);
    const positions = new Map<string, number>();
    existing?.forEach((record, index) => {
      positions.set(keyOf(record), index);
    });
    // One entry per key, in the order keys first appear, holding the last record given for it.
    const incoming = new Map<string, DatasetRecord>();
    for (const record of records) incoming.set(keyOf(record), record);
    let added = 0;
    for (const key of incoming.keys()) if (!positions.has(key)) added++;
    const total = (existing?.length ?? 0) + added;
    if (total > this.maxRecords) return { ok: false, reason: 'full', limit: this.maxRecords };
    const target = existing ?? [];
    for (const [key, record] of incoming) {
      const cloned = structuredClone(record);
      const at = positions.get(key);
      if (at === undefined) target.push(cloned);
      else target[at] = cloned;
    }
    if (!existing) this.datasetsOf(ref.workspace).set(ref.dataset, target);
    return { ok: true, logged: records.length, total, created: !existing };
  }

  load(ref: DatasetRef): DatasetRecord[] | undefined {
    return this.byWorkspace.get(ref.workspace)?.get(ref.dataset)?.map((record) => structuredClone(record));
  }

  copy(from: DatasetRef, to: DatasetRef): CopyResult {
    const records = this.byWorkspace.get(from.workspace)?.get(from.dataset);
    if (!records) return { ok: false, reason: 'not_found' };
    if (this.byWorkspace.get(to.workspace)?.has(to.dataset)) return { ok: false, reason: 'exists' };
    this.datasetsOf(to.workspace).set(to.dataset, records.map((record) => structuredClone(record)));
    return { ok: true, records: records.length };
  }

  delete(ref: DatasetRef): boolean {
    const datasets = this.byWorkspace.get(ref.workspace);
    const deleted = datasets?.delete(ref.dataset) ?? false;
    if (datasets?.size === 0) this.byWorkspace.delete(ref.workspace);
    return deleted;
  }

  private datasetsOf(workspace: string): Map<string, DatasetRecord[]> {
    let datasets = this.byWorkspace.get(workspace);
    if (!datasets) {
      datasets = new Map();
      this.byWorkspace.set(workspace, datasets);
    }
    return datasets;
  }
}
