import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../example-app/demo-client';
import { startExampleApp } from './helpers';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

describe('the demo of the seed\'s story (npm run demo)', () => {
  let server: Awaited<ReturnType<typeof startExampleApp>>;
  beforeAll(async () => {
    server = await startExampleApp();
  });
  afterAll(() => server.close());

  it('walks user1, user2 and user3 through their workspaces, with the refusals the users file calls for', async () => {
    const lines: string[] = [];
    const outcome = await main({ apiUrl: server.url, print: (line) => lines.push(line) });

    expect(outcome.refusals).toEqual([
      'user1: setWorkspace client_projects → workspace_forbidden',
      'user2: copy to user1 → workspace_forbidden',
      'user1: listDatasets client_projects → workspace_forbidden',
    ]);
    expect(Object.fromEntries(outcome.datasets)).toEqual({
      client_projects: ['drafts-shared', 'news'],
      user1: ['news-for-user1', 'support-tickets'],
      user2: ['drafts'],
      user3: [],
    });
    expect(outcome.user1LoadedFromCopy).toBe(3);

    const story = lines.join('\n');
    expect(story).toContain('logged in as user1; may access: user1; workspace now: user1');
    expect(story).toContain('logged in as user2; may access: client_projects, user2; workspace now: client_projects');
    expect(story).toContain('logged in as user3 (super-user); may access: client_projects, user1, user2, user3');
    expect(story).toContain('refused (workspace_forbidden)');
  });

  it('can run again on the same server and tells the same story', async () => {
    const again = await main({ apiUrl: server.url, print: () => undefined });
    expect(again.refusals).toHaveLength(3);
    expect(again.datasets.get('user1')).toEqual(['news-for-user1', 'support-tickets']);
    expect(again.user1LoadedFromCopy).toBe(3);
  });

  it('runs as `npm run demo` with API_URL, exiting 0', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'demo'], { cwd: root, env: { ...process.env, API_URL: server.url } });
    expect(stdout).toContain(`Demo of workspaces against ${server.url}`);
    expect(stdout).toContain('Done: each user worked only where the users file lets her.');
  });

  it('exits 1 with a one-line reason, no stack trace, when the server cannot be reached', async () => {
    const failure = await run('npm', ['run', '--silent', 'demo'], {
      cwd: root,
      env: { ...process.env, API_URL: 'http://127.0.0.1:9' },
    }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('The demo stopped: Cannot reach http://127.0.0.1:9');
    expect(failure?.stderr).not.toMatch(/\n\s+at /);
  });
});
