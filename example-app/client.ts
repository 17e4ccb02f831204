/**
 * A TypeScript client for the example datasets service, shaped like the Argilla Python client:
 *
 *   await init({ apiUrl: 'http://localhost:6900', apiKey: 'ThisIsTheUser2APIKEY', workspace: 'client_projects' });
 *   await log([{ text: 'A headline' }], 'news');
 *   const records = await load('news');
 *   await setWorkspace('user2');
 *   await copy('news', { nameOfCopy: 'news-copy', workspace: 'client_projects' });
 *
 * The module-level functions work on one default client, as `rg.init` does; `new Client()`
 * gives independent ones (several users in one program, as in the demo).
 */
import type { PublicUser } from '../lib';
import type { DatasetRecord } from './datasets-store';

export type { DatasetRecord };

export interface InitOptions {
  /** Where the service runs. Default: `http://localhost:6900`. */
  apiUrl?: string;
  /** The user's API key, sent as `X-Argilla-Api-Key` (what the Argilla client sends). */
  apiKey: string;
  /** The workspace to log into and load from. Default: the user's own workspace. */
  workspace?: string;
}

/** The user the API key belongs to, as `GET /api/me` answers. */
export type Me = PublicUser;

/** A refusal of the server (its `code` and `message`), or a failure to reach it (`network_error`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** The stable machine-readable code, e.g. `workspace_forbidden`. */
    readonly code: string,
    message: string,
    /** The HTTP status; 0 when no answer came (the server could not be reached, or the request was not sent). */
    readonly status: number,
  ) {
    super(message);
  }
}

export interface LogResult {
  workspace: string;
  dataset: string;
  logged: number;
  total: number;
}

export interface CopyOptions {
  /** The name of the copy. */
  nameOfCopy: string;
  /** The workspace to copy into. Default: the current workspace. */
  workspace?: string;
}

export interface CopyResult {
  /** Where the copy is. */
  workspace: string;
  dataset: string;
  /** How many records were copied. */
  records: number;
  copied_from: { workspace: string; dataset: string };
}

const DEFAULT_API_URL = 'http://localhost:6900';

/**
 * A name as one path segment. The server checks names; "." and ".." must be caught here,
 * as URL parsing would silently turn them into another path.
 */
function segment(name: string, what: 'dataset' | 'workspace'): string {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..') {
    throw new ApiError(`invalid_${what}_name`, `${JSON.stringify(name)} is not a valid ${what} name.`, 0);
  }
  return encodeURIComponent(name);
}

export class Client {
  private apiUrl: string | undefined;
  private apiKey: string | undefined;
  private workspace: string | undefined;
  private me: Me | undefined;

  /** Checks the API key with `GET /api/me`, then selects the workspace (refused if the user may not access it). */
  async init(options: InitOptions): Promise<Me> {
    if (typeof options?.apiKey !== 'string' || options.apiKey === '') {
      throw new TypeError('init({ apiKey }) needs the API key of a user in the users file.');
    }
    const apiUrl = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
    if (!/^https?:\/\//.test(apiUrl)) throw new TypeError(`init({ apiUrl }) must be an http(s) URL, e.g. ${DEFAULT_API_URL}; got ${JSON.stringify(apiUrl)}.`);
    this.apiUrl = apiUrl;
    this.apiKey = options.apiKey;
    this.workspace = undefined;
    this.me = await this.request<Me>('GET', '/api/me');
    this.workspace = this.me.username;
    if (options.workspace !== undefined) await this.setWorkspace(options.workspace);
    return this.me;
  }

  /**
   * Makes `name` the workspace of every later log, load and copy. Asks the server which
   * workspaces the user may access now (the users file may have changed since `init`).
   */
  async setWorkspace(name: string): Promise<void> {
    this.requireInit();
    const me = await this.request<Me>('GET', '/api/me');
    this.me = me;
    if (!me.workspaces.includes(name)) {
      throw new ApiError(
        'workspace_forbidden',
        `User ${JSON.stringify(me.username)} may not access workspace ${JSON.stringify(name)}. ` +
          `The workspaces this user may access: ${me.workspaces.join(', ')}.`,
        403,
      );
    }
    this.workspace = name;
  }

  /** The current workspace: the one given to `init` or `setWorkspace`, else the user's own. */
  getWorkspace(): string {
    return this.requireInit().workspace;
  }

  /** The user the API key belongs to, as of `init` or the last `setWorkspace`. */
  whoami(): Me {
    return this.requireInit().me;
  }

  /** The dataset names of a workspace (default: the current one). */
  async listDatasets(workspace?: string): Promise<string[]> {
    const body = await this.request<{ datasets: string[] }>('GET', this.datasetsPath(workspace));
    return body.datasets;
  }

  /** Appends records to a dataset of the current workspace, creating it if needed. */
  async log(records: readonly DatasetRecord[], datasetName: string): Promise<LogResult> {
    return this.request<LogResult>('POST', `${this.datasetsPath()}/${segment(datasetName, 'dataset')}/records`, { records });
  }

  /** The records of a dataset of the current workspace. */
  async load(datasetName: string): Promise<DatasetRecord[]> {
    const body = await this.request<{ records: DatasetRecord[] }>('GET', `${this.datasetsPath()}/${segment(datasetName, 'dataset')}/records`);
    return body.records;
  }

  /** Copies a dataset of the current workspace to `workspace` (default: the current one) as `nameOfCopy`. */
  async copy(dataset: string, options: CopyOptions): Promise<CopyResult> {
    const body = { name: options.nameOfCopy, target_workspace: options.workspace ?? this.getWorkspace() };
    return this.request<CopyResult>('POST', `${this.datasetsPath()}/${segment(dataset, 'dataset')}/copy`, body);
  }

  /** Deletes a dataset of the current workspace. */
  async delete(datasetName: string): Promise<void> {
    await this.request<undefined>('DELETE', `${this.datasetsPath()}/${segment(datasetName, 'dataset')}`);
  }

  private requireInit(): { apiUrl: string; apiKey: string; workspace: string; me: Me } {
    const { apiUrl, apiKey, workspace, me } = this;
    if (apiUrl === undefined || apiKey === undefined || workspace === undefined || me === undefined) {
      throw new Error('The client is not initialised: call init({ apiUrl, apiKey }) first.');
    }
    return { apiUrl, apiKey, workspace, me };
  }

  /** The workspace goes in the route, so every request says where it works. */
  private datasetsPath(workspace = this.getWorkspace()): string {
    return `/api/workspaces/${segment(workspace, 'workspace')}/datasets`;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { apiUrl, apiKey } = this;
    if (apiUrl === undefined || apiKey === undefined) throw new Error('The client is not initialised: call init({ apiUrl, apiKey }) first.');
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Argilla-Api-Key': apiKey };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new ApiError('network_error', `Cannot reach ${apiUrl}${typeof cause === 'string' ? ` (${cause})` : ''}: is the server running?`, 0);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok && parsed !== undefined) return parsed as T;
    const { code, message } = (parsed ?? {}) as { code?: unknown; message?: unknown };
    throw new ApiError(
      typeof code === 'string' ? code : `http_${response.status}`,
      typeof message === 'string' ? message : `${method} ${path} answered ${response.status} ${response.statusText} without a JSON body.`,
      response.status,
    );
  }
}

/** The default client of the module-level functions, like the Python client's global state. */
let defaultClient: Client | undefined;

function current(): Client {
  if (!defaultClient) throw new Error('Call init({ apiUrl, apiKey, workspace }) first.');
  return defaultClient;
}

/** `rg.init`: sets up the default client for the API key (and workspace). */
export async function init(options: InitOptions): Promise<Me> {
  const client = new Client();
  const me = await client.init(options);
  defaultClient = client;
  return me;
}

export const setWorkspace = (name: string): Promise<void> => current().setWorkspace(name);
export const getWorkspace = (): string => current().getWorkspace();
export const listDatasets = (workspace?: string): Promise<string[]> => current().listDatasets(workspace);
export const log = (records: readonly DatasetRecord[], datasetName: string): Promise<LogResult> => current().log(records, datasetName);
export const load = (datasetName: string): Promise<DatasetRecord[]> => current().load(datasetName);
export const copy = (dataset: string, options: CopyOptions): Promise<CopyResult> => current().copy(dataset, options);
export const deleteDataset = (datasetName: string): Promise<void> => current().delete(datasetName);
