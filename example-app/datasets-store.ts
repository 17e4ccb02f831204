/** A record logged into a dataset: any JSON object. */
export type DatasetRecord = Record<string, unknown>;

/** Where the example keeps datasets, per workspace. Swap in a database behind the same interface. */
export interface DatasetsStore {
  list(workspace: string): string[];
}

/** Datasets in memory: a demo, gone at restart. */
export class MemoryDatasetsStore implements DatasetsStore {
  private readonly byWorkspace = new Map<string, Map<string, DatasetRecord[]>>();

  list(workspace: string): string[] {
    return [...(this.byWorkspace.get(workspace)?.keys() ?? [])].sort();
  }
}
