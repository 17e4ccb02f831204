import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadUsers } from '../../../lib/users/load';
import { UsersIndex } from '../../../lib/users/users-index';
import { UsersSource } from '../../../lib/users/users-source';
import { configFromEnv } from '../../../lib/options/environment';
import { entry, hashes, recordingLogger, tempDir } from '../../helpers';

// SPEC §5: a reload never stalls the requests being served. A changed file is read, parsed,
// checked and digested in a worker thread, and indexed here in slices between requests; the new
// index is swapped in whole. How long the event loop waits is measured by the bench (part 9),
// not here: these specs pin the behaviour.
jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..', '..');
const CHILD = path.join(ROOT, 'spec', 'fixtures', 'reload-child.cjs');
const FALLBACK_WARNING = /^warn: Reloads of .* run on the main thread, stalling requests while a big file loads: /;
const defaultUser = configFromEnv({}).defaultUser;

/** `count` users of every kind: super-users, shared and own team lists, disabled, with and without email and name. */
function usersYaml(count: number, variant: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(`- username: user-${i}`, `  hashed_password: "${i % 5 === 0 ? hashes.htpasswd_cost10_2y.hash : hashes.passlib_2b_cost10.hash}"`);
    lines.push(`  api_key: "key-${i}-0123456789abcdef"`, `  full_name: "User ${i} v${variant}"`);
    if (i % 4 === 0) lines.push(`  email: user-${i}@example.com`);
    if (i % 7 === 0) lines.push('  disabled: true');
    if (i % 10 === 1) continue; // a super-user
    if (i % 3 === 0) lines.push('  workspaces: []');
    else lines.push(`  workspaces: [team-${i % 11}, team-${i % 5}, constructor]`);
  }
  return `${lines.join('\n')}\n`;
}

let folder: ReturnType<typeof tempDir>;
let file: string;

beforeEach(() => {
  folder = tempDir();
  file = path.join(folder.dir, 'users.yml');
  writeFileSync(file, entry('alice'));
});

afterEach(() => folder.remove());

describe('a reload in the worker', () => {
  it('puts in force the same users a start-up load of the file gives, and logs no fallback', async () => {
    const logger = recordingLogger();
    const source = new UsersSource({ file, explicit: true, defaultUser, watch: false, watchIntervalMs: 500, logger });
    const text = usersYaml(1_234, 1);
    writeFileSync(file, text);
    const reloaded = await source.reload();
    source.close();
    const expected = new UsersIndex(loadUsers(text, file).records, file);
    expect(reloaded.size).toBe(1_234);
    for (let i = 0; i < 1_234; i++) {
      const record = reloaded.findByUsername(`user-${i}`);
      expect(record).toEqual(expected.findByUsername(`user-${i}`));
      expect(reloaded.findByApiKey(`key-${i}-0123456789abcdef`)).toBe(record);
    }
    expect(reloaded.knownWorkspaces).toEqual(expected.knownWorkspaces);
    expect(reloaded.typicalCost).toBe(expected.typicalCost);
    // One frozen list for the users who name the same teams, also across the worker's batches.
    const [first, later] = [reloaded.findByUsername('user-2')?.user.workspaces, reloaded.findByUsername('user-1102')?.user.workspaces];
    expect(first).toEqual(['team-2', 'constructor']);
    expect(later).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(logger.lines.filter((line) => FALLBACK_WARNING.test(line))).toEqual([]);
  });

  it('swaps the new users in whole: between the slices, the users in force are one version', async () => {
    writeFileSync(file, usersYaml(20_000, 1));
    const source = new UsersSource({ file, explicit: true, defaultUser, watch: false, watchIntervalMs: 500 });
    const versionOf = (username: string) => /v(\d+)$/.exec(source.current.findByUsername(username)?.user.full_name ?? '')?.[1];
    const seen = new Set<string>();
    let sampling = true;
    // Every turn of the event loop while the reload runs: the first and the last user's version.
    const sample = () => {
      seen.add(`${versionOf('user-0')}/${versionOf('user-19999')}/${source.current.size}`);
      if (sampling) setImmediate(sample);
    };
    writeFileSync(file, usersYaml(20_000, 2));
    sample();
    await source.reload();
    sampling = false;
    sample();
    source.close();
    expect([...seen].sort()).toEqual(['1/1/20000', '2/2/20000']);
  });

  it('ends with close(): the reload settles with the users in force, and tells no reload', async () => {
    const source = new UsersSource({ file, explicit: true, defaultUser, watch: false, watchIntervalMs: 500 });
    const before = source.current;
    const told = jest.fn();
    source.on('reload', told);
    writeFileSync(file, usersYaml(20_000, 1));
    const reloading = source.reload();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the file read, the worker at work
    source.close();
    await expect(reloading).resolves.toBe(before);
    expect(told).not.toHaveBeenCalled();
  });
});

/** Runs reload-child.cjs; resolves with its last JSON line, handing each line to `onLine` as it comes. */
function runChild(nodeArgs: string[], args: string[], options: { uid?: number; gid?: number; onLine?: (line: Record<string, unknown>) => void } = {}) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, CHILD, ...args], { cwd: ROOT, uid: options.uid, gid: options.gid, stdio: ['ignore', 'pipe', 'pipe'] });
    const seen: Array<Record<string, unknown>> = [];
    let pending = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        seen.push(parsed);
        options.onLine?.(parsed);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const last = seen[seen.length - 1];
      if (code !== 0 || !last) reject(new Error(`reload-child exited ${code}: ${stderr}`));
      else resolve(last);
    });
  });
}

describe('the worker runs wherever the library does', () => {
  const next = () => {
    const other = path.join(folder.dir, 'next.yml');
    writeFileSync(other, `${entry('alice', { api_key: '"alice-key-0123456789abcdef"' })}${usersYaml(600, 1)}`);
    return other;
  };

  it('compiled (dist/, plain node), as an installed package runs', async () => {
    const seen = await runChild([], ['reload', path.join(ROOT, 'dist'), file, next()]);
    expect(seen).toEqual({ size: 601, alice: 'alice', lines: [] });
  });

  it('from the TypeScript sources under tsx, as the example app runs', async () => {
    const seen = await runChild(['--import', 'tsx'], ['reload', path.join(ROOT, 'lib'), file, next()]);
    expect(seen).toEqual({ size: 601, alice: 'alice', lines: [] });
  });

  it('and where the worker cannot start (a build without its entry), reloads on the main thread, saying so once', async () => {
    const copy = path.join(folder.dir, 'copy');
    cpSync(path.join(ROOT, 'dist'), path.join(copy, 'dist'), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
    rmSync(path.join(copy, 'dist', 'users', 'reload-worker.js'));
    const seen = await runChild([], ['reload', path.join(copy, 'dist'), file, next()]);
    expect(seen).toMatchObject({ size: 601, alice: 'alice' });
    expect(seen.lines).toEqual([expect.stringMatching(FALLBACK_WARNING)]);
    expect((seen.lines as string[])[0]).toMatch(/reload-worker\.js|Cannot find module/);
  });
});

describe('a users file that appears but this server may not read', () => {
  // Root reads every file whatever its mode: the server runs as another user (nobody) when the spec runs as root.
  const asRoot = process.getuid?.() === 0;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim());
  const nobody = asRoot ? { uid: id('-u'), gid: id('-g') } : undefined;

  it('ends the default user, and the refusal names the owner, the mode and the fix', async () => {
    chmodSync(folder.dir, 0o755);
    const usersFile = path.join(folder.dir, '.users.yml');
    const seen = await runChild([], ['appears', path.join(ROOT, 'dist'), usersFile], {
      ...nobody,
      onLine: (line) => {
        // As `sudo … add-user` would make it: root's, mode 600 (run as non-root: this user's, mode 000).
        if (line.defaultUser === true) writeFileSync(usersFile, entry('alice'), { mode: asRoot ? 0o600 : 0o000 });
      },
    });
    expect(seen).toMatchObject({ unavailable: true, defaultUser: false });
    expect(seen.lines).toEqual([`warn: A users file appeared at ${usersFile}: the default user is no longer in force, and no one gets in until the file loads.`]);
    const quoted = `'${usersFile}'`;
    const fix = asRoot
      ? `it is owned by uid 0, group 0, mode 0600, and this server runs as uid ${nobody?.uid}, which may not read it (a file made with sudo is root's). Give it to this server's user: \`sudo chown ${nobody?.uid} ${quoted}\``
      : `mode 0000, and this server runs as uid ${process.getuid?.()}, its owner, without read permission: \`chmod u+r ${quoted}\``;
    expect(seen.refused).toContain(`${usersFile} has 1 problem:\n  - ${usersFile}: cannot be read (EACCES): `);
    expect(seen.refused).toContain(fix);
  });
});
