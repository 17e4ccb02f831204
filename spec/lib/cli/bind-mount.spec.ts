import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO, EXAMPLE_USERS_FILE } from '../../example-app/helpers';
import { cleanEnv, ROOT } from '../../example-app/server-process';
import { tempDir } from '../../helpers';
import { cli } from './run';

// What docker compose does to the users file, done for real: a bind mount in a mount namespace of
// its own (`unshare -m`), as a container has. A file mounted on its own keeps its old inode when
// the CLI saves by rename; a mounted folder sees every save.
const BIN = path.join(ROOT, 'dist', 'cli.js');
jest.setTimeout(120_000);

const canMount = process.getuid?.() === 0 && spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;
if (!canMount) console.warn('SKIPPED: bind-mount specs need root and `unshare -m` (util-linux); CI runs as root.');
const describeAsRoot = canMount ? describe : describe.skip;

const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

/** A process in a mount namespace of its own where `source` is bind-mounted on `target`, running `command`. */
function inContainer(source: string, target: string, command: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH }): ChildProcess {
  const script = `mount --bind ${quote(source)} ${quote(target)} && exec ${command.map(quote).join(' ')}`;
  return spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
}

function finished(child: ChildProcess): Promise<{ status: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** The example app's server (what the compose file runs) in its "container", reading `usersFile` there. */
async function serverInContainer(source: string, target: string, usersFile: string) {
  const env = cleanEnv({ ARGILLA_LOCAL_AUTH_USERS_DB_FILE: usersFile, PORT: '0' });
  const child = inContainer(source, target, [process.execPath, '--import', 'tsx', 'example-app/server.ts'], env);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no server within 60 s: ${stderr}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const match = /example app on http:\/\/localhost:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('close', () => reject(new Error(`the server exited: ${stderr}`)));
  });
  const me = async () => (await fetch(`http://localhost:${port}/api/me`, { headers: { 'X-API-Key': DEMO.user1.apiKey } })).status;
  return { child, me, stop: () => child.kill('SIGTERM') };
}

let host: ReturnType<typeof tempDir>;
let config: string;
let container: string;
beforeEach(() => {
  host = tempDir();
  config = path.join(host.dir, 'config');
  container = path.join(host.dir, 'container-config'); // the container's /config
  mkdirSync(config);
  mkdirSync(container);
  copyFileSync(EXAMPLE_USERS_FILE, path.join(config, '.users.yaml'));
  writeFileSync(path.join(container, '.users.yaml'), 'placeholder: the mount covers this file\n');
});
afterEach(() => host.remove());

describeAsRoot('a users file behind a bind mount (docker compose)', () => {
  it('the folder mounted (./config:/config): an edit on the host reaches the server in the container within 2 seconds', async () => {
    const server = await serverInContainer(config, container, path.join(container, '.users.yaml'));
    try {
      expect(await server.me()).toBe(200);
      const disabled = await cli(['disable', 'user1', '--file', path.join(config, '.users.yaml')]);
      expect(disabled).toMatchObject({ status: 0, stdout: expect.stringContaining('A running server applies it within 2 seconds') });
      const deadline = Date.now() + 2000;
      while ((await server.me()) !== 403 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await server.me()).toBe(403);
    } finally {
      server.stop();
    }
  });

  it('the file mounted on its own: the CLI on the host refuses, says why and how to mount the folder, and changes nothing', async () => {
    const hostFile = path.join(config, '.users.yaml');
    const server = await serverInContainer(hostFile, path.join(container, '.users.yaml'), path.join(container, '.users.yaml'));
    try {
      const before = await cli(['list', '--file', hostFile]);
      const { status, stdout, stderr } = await cli(['disable', 'user1', '--file', hostFile]);
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain(`${hostFile} is bind-mounted on its own at ${path.join(container, '.users.yaml')} in another mount namespace (a container; its process`);
      expect(stderr).toContain('that mount would keep showing the old one: the server there would never see this change');
      expect(stderr).toContain('Mount the folder that holds the users file instead of the file itself (docker compose: `./config:/config`');
      expect(stderr).toContain('Nothing was changed.');
      expect(await cli(['list', '--file', hostFile])).toEqual(before);
      expect(await server.me()).toBe(200);

      // An editor saved by rename meanwhile: that mount now shows a copy nobody edits.
      copyFileSync(hostFile, `${hostFile}.new`);
      renameSync(`${hostFile}.new`, hostFile);
      const stale = await cli(['enable', 'user1', '--file', hostFile]);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toContain('and that mount still shows an older copy, replaced since (by an editor or this command)');
    } finally {
      server.stop();
    }
  });

  it('the file mounted on its own: the CLI in the container refuses at once (its rename would fail with EBUSY), without asking for a password', async () => {
    const target = path.join(container, '.users.yaml');
    const child = inContainer(path.join(config, '.users.yaml'), target, [process.execPath, BIN, 'add-user', 'carol', '--cost', '10', '--file', target]);
    child.stdin?.end('carol-pw');
    const { status, stdout, stderr } = await finished(child);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${target} is itself a mount point (a file bind-mounted on its own, as a container volume of one file)`);
    expect(stderr).toContain('`./config:/config`');
    expect(stderr).not.toContain('(EBUSY)'); // refused before the edit, not by the failed rename
  });
});
