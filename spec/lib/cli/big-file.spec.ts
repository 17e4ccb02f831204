import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { makeKeys, usersYaml } from '../../../bench/make-users';
import { hashes } from '../../helpers';
import { describeWithTool, hasScript } from '../../system-tools';
import { usersFileInTempDir } from './run';

// An edit of a 100,000-user file (what the bench makes): how long it takes, what a terminal shows
// meanwhile, and Ctrl-C while it holds the lock.
const BIN = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const USERS = 100_000;
jest.setTimeout(300_000);

const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

let folder: ReturnType<typeof usersFileInTempDir>;
let original: string;
beforeAll(() => {
  folder = usersFileInTempDir();
  original = usersYaml(USERS, hashes.passlib_2b_cost10.hash, makeKeys(USERS));
});
beforeEach(() => folder.write(original));
afterAll(() => folder.remove());

/** The bin, on a pipe or (with `script`) on a terminal; resolves with what it printed and how long it took. */
function run(args: string[], { terminal = false } = {}) {
  const command = [process.execPath, BIN, ...args];
  const child = terminal
    ? spawn('script', ['-qec', command.map(quote).join(' '), '/dev/null'], { env: { PATH: process.env.PATH, TERM: 'dumb' } })
    : spawn(command[0] ?? '', command.slice(1), { env: { PATH: process.env.PATH } });
  const started = Date.now();
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<{ status: number | null; output: string; seconds: number }>((resolve) =>
    child.on('close', (status) => resolve({ status, output, seconds: (Date.now() - started) / 1000 })),
  );
  return { child, exited };
}

it(`disables one user of ${USERS.toLocaleString('en-US')}, changing one line, and says how long it took`, async () => {
  const { status, output, seconds } = await run(['disable', 'user-000005', '--file', folder.file]).exited;
  expect(status).toBe(0);
  expect(output).not.toContain('\r'); // no progress on a pipe
  const at = original.indexOf('- username: user-000006');
  expect(folder.read()).toBe(`${original.slice(0, at)}  disabled: true\n${original.slice(at)}`);
  // Measured, not asserted: the machine's load decides it (docs/cli.md gives the figures).
  console.info(`disable on ${USERS} users: ${seconds.toFixed(1)} s`);
});

describeWithTool('script (util-linux)', hasScript)('on a terminal', () => {
  it('shows what it is doing while it works, and clears the line at the end', async () => {
    const { status, output } = await run(['set-workspaces', 'user-000007', 'a,b', '--file', folder.file], { terminal: true }).exited;
    expect(status).toBe(0);
    for (const step of [`Reading ${folder.file} (`, `Checking ${folder.file} after the change, as the server would load it…`, `Saving ${folder.file}…`]) {
      expect(output).toContain(`\r\u001b[K${step}`);
    }
    expect(output).toContain('\r\u001b[Kuser-000007 now has access to their own workspace and a, b');
  });
});

it('Ctrl-C while it holds the lock: exit 130, no lock and no temporary file left, the file whole', async () => {
  const { child, exited } = run(['rotate-key', 'user-000009', '--file', folder.file]);
  const lock = `${folder.file}.lock`;
  while (!existsSync(lock)) {
    if (child.exitCode !== null) throw new Error('it ended before taking the lock');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill('SIGINT');
  const { status, output } = await exited;
  expect(status).toBe(130);
  expect(output).toContain('interrupted (SIGINT)');
  expect(folder.leftovers()).toEqual([]);
  const now = readFileSync(folder.file, 'utf8');
  expect(now === original || now.length === original.length).toBe(true); // the old file, or the new key in place of the old
});
