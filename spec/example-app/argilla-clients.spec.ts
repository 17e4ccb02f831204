// The real Argilla 1.1.1 and Rubrix 0.18.0 Python clients (the seed's) against the example app,
// end to end: init, refusals they print, a token as api_key, and log → load → copy → delete.
// The clients come from the shared test material (../shared/argilla-clients/, see its README),
// extracted to a temp dir here; each client runs every scenario in one Python process
// (argilla-client-scenarios.py), both at once, against one app; the assertions are here.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createApp } from '../../example-app/app';
import { REFUSALS } from '../../lib';
import { SECRET } from '../helpers';
import { describeWithTool, PYTHON } from '../system-tools';
import { DEMO, recordingLogger, startExampleApp } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const TARBALL = 'argilla-1.1.1-rubrix-0.18.0.tgz';
const CLIENTS = { argilla: 'argilla-1.1.1', rubrix: 'rubrix-0.18.0' } as const;
type ClientModule = keyof typeof CLIENTS;

/** `ARGILLA_CLIENTS_DIR`, else the first `shared/argilla-clients` holding the tarball beside the repository or one of its parents. */
function findClientsFolder(): string | undefined {
  const fromEnv = process.env.ARGILLA_CLIENTS_DIR;
  if (fromEnv) return existsSync(path.join(fromEnv, TARBALL)) ? fromEnv : undefined;
  for (let dir = path.dirname(ROOT); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'argilla-clients');
    if (existsSync(path.join(candidate, TARBALL))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

// What the clients import, as Debian packages them (.ci/run installs them).
const PYTHON_MODULES = 'httpx, pydantic, pandas, wrapt, deprecated, tqdm, backoff, monotonic, packaging, numpy';
const clientsFolder = findClientsFolder();
const hasClientModules = spawnSync(PYTHON, ['-c', `import ${PYTHON_MODULES}`]).status === 0;

// The test material may be absent from a clone: say so and skip. Python and its modules are
// installed by .ci/run: describeWithTool fails in CI without them, and skips loudly elsewhere.
if (!clientsFolder) {
  console.warn(
    `SKIPPED: the Argilla and Rubrix Python clients: ${TARBALL} is in no shared/argilla-clients/ beside this repository or its parent folders, nor in ARGILLA_CLIENTS_DIR.`,
  );
}
const describeWithClients = clientsFolder ? describeWithTool(`${PYTHON} with the modules ${PYTHON_MODULES}`, hasClientModules) : describe.skip;

type Outcome = { value?: unknown; error?: string; status?: number | null; text?: string };
type Results = Record<string, Outcome>;

const run = promisify(execFile);

describeWithClients('the Argilla 1.1.1 and Rubrix 0.18.0 Python clients against the example app', () => {
  const results = {} as Record<ClientModule, Results>;
  let app: Awaited<ReturnType<typeof startExampleApp>>;
  const closers: Array<() => Promise<void> | void> = [];
  const temp = mkdtempSync(path.join(os.tmpdir(), 'argilla-clients-'));

  /** A default-user instance (no users file), with this default API key. */
  async function startDefaultUserApp(defaultApiKey: string | undefined): Promise<string> {
    const cwd = mkdtempSync(path.join(temp, 'no-users-file-'));
    const env = defaultApiKey ? { ARGILLA_LOCAL_AUTH_DEFAULT_APIKEY: defaultApiKey } : {};
    const { app: defaultApp, auth } = createApp({ auth: { cwd, env, secretKey: SECRET, watch: false, logger: recordingLogger() } });
    const server = defaultApp.listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    closers.push(() => {
      auth.close();
      server.closeAllConnections();
      server.close();
    });
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  /**
   * An access token of user2. A login may be shed with 503 while the machine is busy (the login
   * line answers within 1.5 s or not at all): then it is tried again after Retry-After, as a client should.
   */
  async function accessTokenOfUser2(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${app.url}/api/security/token`, { method: 'POST', body: new URLSearchParams({ username: 'user2', password: DEMO.user2.password }) });
      if (response.status === 200) return ((await response.json()) as { access_token: string }).access_token;
      if (response.status !== 503 || attempt === 10) throw new Error(`The login of user2 answered ${response.status}: ${await response.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
    }
  }

  beforeAll(async () => {
    const extracted = spawnSync('tar', ['xzf', path.join(clientsFolder as string, TARBALL), '-C', temp], { encoding: 'utf8' });
    if (extracted.status !== 0) throw new Error(`Could not extract ${TARBALL}: ${extracted.stderr}`);
    app = await startExampleApp();
    const defaultArgilla = await startDefaultUserApp(undefined);
    const defaultRubrix = await startDefaultUserApp('rubrix.apikey');
    const token = await accessTokenOfUser2();
    const script = path.join(__dirname, 'argilla-client-scenarios.py');
    await Promise.all(
      (Object.keys(CLIENTS) as ClientModule[]).map(async (module) => {
        const out = path.join(temp, `${module}.json`);
        // No ARGILLA_*/RUBRIX_* of this machine reaches the client: its defaults are under test.
        const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(ARGILLA|RUBRIX)_/.test(name)));
        try {
          await run(PYTHON, [script, module, app.url, defaultArgilla, defaultRubrix, out], {
            env: { ...env, PYTHONPATH: path.join(temp, CLIENTS[module], 'src'), PYTHONDONTWRITEBYTECODE: '1', SCENARIO_ACCESS_TOKEN: token },
            timeout: 120_000,
          });
        } catch (error) {
          const { stderr } = error as { stderr?: string };
          throw new Error(`The ${module} client's scenarios did not finish: ${(error as Error).message}\n${stderr ?? ''}`);
        }
        results[module] = JSON.parse(readFileSync(out, 'utf8')) as Results;
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    for (const close of closers) await close();
    rmSync(temp, { recursive: true, force: true });
  });

  /** The datasets of a workspace, as the app's own API lists them. */
  async function datasetsOf(workspace: string): Promise<string[]> {
    const response = await fetch(`${app.url}/api/workspaces/${workspace}/datasets`, { headers: { 'X-API-Key': DEMO.user3.apiKey } });
    return ((await response.json()) as { datasets: string[] }).datasets;
  }

  /** The records the scenarios log: `count` of them, named after the dataset. */
  const logged = (dataset: string, count = 3) =>
    Array.from({ length: count }, (_, index) => ({
      id: `${dataset}-${index}`,
      text: `headline ${index} of ${dataset}`,
      prediction: [
        ['sports', 0.75],
        ['politics', 0.25],
      ],
      annotation: index % 2 === 0 ? 'sports' : 'politics',
      metadata: { source: 'spec', index },
    }));

  describe.each(Object.keys(CLIENTS) as ClientModule[])('%s', (module) => {
    const outcome = (scenario: string): Outcome => {
      const found = results[module][scenario];
      if (!found) throw new Error(`The ${module} scenarios recorded nothing for ${scenario}.`);
      return found;
    };
    /** A refusal as the client raised it: its error type, and the server's detail in what it printed. */
    const expectRefused = (scenario: string, error: string, detail: string) => {
      expect(outcome(scenario)).toEqual({ error, status: expect.any(Number), text: expect.stringContaining(`'response': '${detail}`) });
    };

    it('inits with an API key, in the user workspace or the one given', () => {
      expect(outcome('init')).toEqual({ value: 'user2' });
      expect(outcome('init_with_workspace')).toEqual({ value: 'client_projects' });
    });

    it('prints why a key is refused: the server\'s detail', () => {
      expectRefused('refused_key', 'UnauthorizedApiError', REFUSALS.invalid_api_key.message);
    });

    it('refuses a workspace the user may not access, in the client and on the server', () => {
      // The client checks GET /api/me's workspaces itself; forced past it, the server refuses.
      expect(outcome('set_forbidden_workspace')).toMatchObject({ error: 'Exception', text: 'Wrong provided workspace client_projects' });
      expectRefused('forbidden_workspace_on_server', 'ForbiddenApiError', REFUSALS.workspace_forbidden.message);
    });

    it('accepts an access token as api_key, and logs and loads with it', () => {
      expect(outcome('token_as_api_key')).toEqual({ value: { workspace: 'client_projects', processed: 2, loaded: 2 } });
    });

    describe('in a team workspace: log, load, copy, delete', () => {
      const team = `${module}-news`;

      it('logs records and loads them back as logged', () => {
        expect(outcome('team_log')).toEqual({ value: { processed: 3, failed: 0 } });
        expect(outcome('team_load')).toEqual({ value: logged(team) });
      });

      it('replaces records logged again with the same ids, as Argilla does', () => {
        expect(outcome('team_log_same_ids_again')).toEqual({ value: 3 });
      });

      it('loads by ids and with a limit', () => {
        expect(outcome('team_load_ids_and_limit')).toEqual({ value: { ids: [`${team}-0`, `${team}-2`], limited: 2 } });
      });

      it('copies in the workspace and to the user workspace', () => {
        expect(outcome('team_copy')).toEqual({ value: logged(team) });
        expect(outcome('team_copy_to_own_workspace')).toEqual({ value: null });
        expect(outcome('team_copy_loaded_in_own_workspace')).toEqual({ value: { workspace: 'user2', records: logged(team) } });
      });

      it('refuses a copy to a workspace the user may not access, and over an existing dataset, saying why', () => {
        expectRefused('team_copy_to_forbidden_workspace', 'ForbiddenApiError', REFUSALS.workspace_forbidden.message);
        expectRefused('team_copy_over_existing', 'AlreadyExistsApiError', `Workspace "client_projects" already has a dataset "${team}-copy"`);
      });

      it('deletes, then says the dataset is gone; deleting again is no error, as in Argilla', () => {
        expect(outcome('team_delete')).toEqual({ value: null });
        expectRefused('team_load_deleted', 'NotFoundApiError', `There is no dataset "${team}" in workspace "client_projects"`);
        expect(outcome('team_delete_missing')).toEqual({ value: null });
      });

      it('left the datasets where the app\'s own API finds them', async () => {
        expect(await datasetsOf('client_projects')).toEqual(expect.arrayContaining([`${team}-copy`]));
        expect(await datasetsOf('client_projects')).not.toContain(team);
        expect(await datasetsOf('user2')).toContain(`${team}-mine`);
        expect(await datasetsOf('user1')).not.toContain(`${team}-stolen`);
      });
    });

    it("works in a user's own workspace", async () => {
      const own = `${module}-tickets`;
      expect(outcome('own_workspace')).toEqual({ value: { workspace: 'user1', processed: 2, loaded: logged(own, 2) } });
      expectRefused('own_load_deleted', 'NotFoundApiError', `There is no dataset "${own}" in workspace "user1"`);
      expect(await datasetsOf('user1')).toContain(`${own}-kept`);
      expect(await datasetsOf('user1')).not.toContain(own);
    });

    it('sends rubrix.apikey on a bare init(): refused by a default instance, unless its default key or the client\'s variable says so', () => {
      expectRefused('bare_init_default_argilla_key', 'UnauthorizedApiError', REFUSALS.invalid_api_key.message);
      expect(outcome('bare_init_default_key_set_to_rubrix_apikey')).toEqual({ value: 'argilla' });
      expect(outcome('bare_init_with_api_key_variable')).toEqual({ value: 'argilla' });
    });
  });
});
