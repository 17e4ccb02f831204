import { readFileSync } from 'node:fs';
import path from 'node:path';
import { entry, hashes, USERS_FILE } from '../../helpers';
import { cli, usersFileInTempDir } from './run';

// SPEC §5: every command answers --help, --version, "did you mean", --json for scripts, exit codes 0/1/2/130.

const COMMANDS = ['hash-password', 'check', 'gen-api-key', 'gen-secret', 'add-user', 'set-password', 'rotate-key', 'disable', 'enable', 'set-workspaces', 'remove-user', 'list'];
const VERSION = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('--help', () => {
  it.each(COMMANDS)('%s --help prints its usage, what it does and the exit codes on standard output, exit 0', async (command) => {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command], [command, 'some-user', '--bogus', '--help']]) {
      const { status, stdout, stderr } = await cli(args, { input: 'never read' });
      expect({ args, status, stderr }).toEqual({ args, status: 0, stderr: '' });
      expect(stdout).toMatch(new RegExp(`^Usage: express-workspace-auth ${command}\\b`));
      expect(stdout).toContain('Exit codes: 0 done, 1 refused (nothing was changed), 2 usage error, 130 interrupted (Ctrl-C).');
    }
  });

  it('the general usage lists every command and the exit codes', async () => {
    const { status, stdout } = await cli(['--help']);
    expect(status).toBe(0);
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(stdout).toContain('Exit codes: 0 done, 1 refused');
  });

  it('names --file and the resolution the server uses for the commands that take it', async () => {
    expect((await cli(['disable', '--help'])).stdout).toContain('--file F: the users file; without it, the file the server reads: ARGILLA_LOCAL_AUTH_USERS_DB_FILE');
    expect((await cli(['gen-secret', '--help'])).stdout).not.toContain('--file');
  });
});

it('--version prints the package version', async () => {
  expect(await cli(['--version'])).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
});

describe('did you mean', () => {
  it.each([
    ['lsit', 'list'],
    ['add-usr', 'add-user'],
    ['rotate', 'rotate-key'],
    ['set-workspace', 'set-workspaces'],
  ])('a mistyped command %j: exit 2, suggesting %j', async (typed, meant) => {
    const { status, stderr } = await cli([typed]);
    expect(status).toBe(2);
    expect(stderr).toContain(`Unknown command "${typed}". Did you mean "${meant}"?`);
  });

  it('guesses nothing for a command far from every one', async () => {
    expect((await cli(['frobnicate'])).stderr).toMatch(/^Unknown command "frobnicate"\.\n/);
  });

  it.each([
    [['add-user', 'jane', '--workspace', 'a'], '--workspaces'],
    [['add-user', 'jane', '--emial', 'j@example.com'], '--email'],
    [['add-user', 'jane', '--fullname', 'Jane'], '--full-name'],
    [['disable', 'jane', '--fille', 'x.yml'], '--file'],
    [['list', '--jsn'], '--json'],
  ])('a mistyped option in %j: exit 2, suggesting %s', async (args, meant) => {
    const { status, stderr } = await cli(args);
    expect(status).toBe(2);
    expect(stderr).toContain(`Did you mean ${meant}?`);
  });
});

describe('--json for scripts', () => {
  let folder: ReturnType<typeof usersFileInTempDir>;
  beforeEach(() => {
    folder = usersFileInTempDir();
    folder.write(
      entry('alice', { workspaces: '[team, ops]', full_name: 'Alice A', email: 'alice@example.com' }) +
        entry('bob', { workspaces: '[]', disabled: 'true' }) +
        entry('root'),
    );
  });
  afterEach(() => folder.remove());

  it('list --json gives every user with stable fields and no secret', async () => {
    const { status, stdout } = await cli(['list', '--json', '--file', folder.file]);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      file: folder.file,
      users: [
        { username: 'alice', full_name: 'Alice A', email: 'alice@example.com', disabled: false, superuser: false, workspaces: ['team', 'ops'] },
        { username: 'bob', full_name: null, email: null, disabled: true, superuser: false, workspaces: [] },
        { username: 'root', full_name: null, email: null, disabled: false, superuser: true, workspaces: null },
      ],
    });
    for (const record of folder.records()) {
      expect(stdout).not.toContain(record.hashedPassword);
      expect(stdout).not.toContain(record.apiKey);
    }
  });

  it('check --json on a valid file: valid, the count, and the warnings the server would log', async () => {
    const { status, stdout, stderr } = await cli(['check', USERS_FILE, '--json']);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout);
    expect(report).toEqual({ file: USERS_FILE, valid: true, users: 6, problems: [], warnings: [expect.objectContaining({ entry: 5 })] });
    expect(report.warnings[0]).toEqual({ where: `${USERS_FILE}: entry 5 (sleepy), field "hashed_password"`, message: expect.stringContaining('has bcrypt cost 5'), entry: 5 });
  });

  it('check --json on a refused file: exit 1, every problem with where, message and entry (from 1), no secret', async () => {
    folder.write(entry('Bad') + entry('ok', { workspace: '[a]' }) + entry('plain', { hashed_password: 'hunter2-plaintext' }));
    const { status, stdout, stderr } = await cli(['check', folder.file, '--json']);
    expect(status).toBe(1);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ file: folder.file, valid: false, users: null, warnings: [] });
    expect(report.problems).toEqual([
      { where: `${folder.file}: entry 1 (Bad), field "username"`, message: expect.any(String), entry: 1 },
      { where: `${folder.file}: entry 2 (ok), field "workspace"`, message: expect.stringContaining('Did you mean "workspaces"?'), entry: 2 },
      { where: `${folder.file}: entry 3 (plain), field "hashed_password"`, message: expect.any(String), entry: 3 },
    ]);
    expect(stdout).not.toContain('hunter2');
  });

  it('check --json on a missing file: exit 1, still JSON', async () => {
    const missing = path.join(folder.dir, 'missing.yml');
    const { status, stdout } = await cli(['check', missing, '--json']);
    expect(status).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ file: missing, valid: false, users: null, problems: [{ where: missing, message: 'does not exist.' }], warnings: [] });
  });
});

describe('set-workspaces', () => {
  let folder: ReturnType<typeof usersFileInTempDir>;
  const HASH = hashes.passlib_2b_cost10.hash;
  beforeEach(() => {
    folder = usersFileInTempDir();
    folder.write(`# staff\n${entry('alice', { workspaces: '[team]' })}# bob: ops only\n${entry('bob')}`);
  });
  afterEach(() => folder.remove());
  const run = (...args: string[]) => cli(['set-workspaces', ...args, '--file', folder.file]);
  const userOf = (name: string) => folder.records().find((record) => record.user.username === name)?.user;

  it('replaces the list in place: a,b, then "" for the user workspace only, then --superuser; comments and bob stay', async () => {
    const bob = folder.read().slice(folder.read().indexOf('# bob'));
    expect(await run('alice', 'client_projects,team-b')).toMatchObject({ status: 0, stdout: expect.stringContaining('alice now has access to their own workspace and client_projects, team-b') });
    expect(folder.read()).toContain('  workspaces: [client_projects, team-b]\n');
    expect(userOf('alice')).toMatchObject({ workspaces: ['client_projects', 'team-b'], superuser: false });

    expect((await run('alice', '')).status).toBe(0);
    expect(folder.read()).toContain('  workspaces: []\n');
    expect(userOf('alice')).toMatchObject({ workspaces: [], superuser: false });

    expect((await run('alice', '--superuser')).status).toBe(0);
    expect(folder.read()).not.toMatch(/alice[^-]*workspaces/);
    expect(userOf('alice')).toMatchObject({ workspaces: null, superuser: true });
    expect(folder.read()).toMatch(/^# staff\n- username: alice\n/);
    expect(folder.read().endsWith(bob)).toBe(true);
  });

  it('gives a super-user a list by adding the field', async () => {
    expect((await run('bob', 'ops')).status).toBe(0);
    expect(userOf('bob')).toMatchObject({ workspaces: ['ops'], superuser: false });
  });

  it('replaces a block list and a flow entry too', async () => {
    folder.write(`- username: alice\n  hashed_password: ${HASH}\n  api_key: "alice-key-0123456789"\n  workspaces:\n    - a\n    - b\n- {username: bob, hashed_password: "${HASH}", api_key: "bob-key-0123456789", workspaces: [x]}\n`);
    expect((await run('alice', 'c')).status).toBe(0);
    expect(folder.read()).toContain('  workspaces: [c]\n- {username: bob');
    expect((await run('bob', '--superuser')).status).toBe(0);
    expect(folder.read()).toContain('workspaces: null}');
    expect(userOf('bob')).toMatchObject({ workspaces: null, superuser: true });
  });

  it('refuses a block list with comments in it rather than lose them', async () => {
    folder.write(`- username: alice\n  hashed_password: ${HASH}\n  api_key: "alice-key-0123456789"\n  workspaces:\n    - a # ask Bob first\n    - b\n`);
    const before = folder.bytes();
    const { status, stderr } = await run('alice', 'c');
    expect(status).toBe(1);
    expect(stderr).toContain('is a list with comments in it');
    expect(folder.bytes().equals(before)).toBe(true);
  });

  it('says so and changes nothing when the user already has that access', async () => {
    const before = folder.bytes();
    expect(await run('alice', 'team')).toMatchObject({ status: 0, stdout: expect.stringContaining('already has access to their own workspace and team') });
    expect(await run('bob', '--superuser')).toMatchObject({ status: 0, stdout: expect.stringContaining('already has access to every workspace') });
    expect(folder.bytes().equals(before)).toBe(true);
  });

  it.each([
    [['alice'], 2, 'give either the workspaces'],
    [['alice', 'a', '--superuser'], 2, 'not both'],
    [['alice', 'team,../etc'], 2, 'set-workspaces: "../etc" is not a valid workspace name'],
    [['Alice', 'a'], 2, 'is not a valid username'],
    [['nobody', 'a'], 1, 'There is no user nobody'],
  ])('refuses %j (exit %i) and changes nothing', async (args, code, message) => {
    const before = folder.bytes();
    const { status, stderr } = await run(...args);
    expect(status).toBe(code);
    expect(stderr).toContain(message);
    expect(folder.bytes().equals(before)).toBe(true);
  });
});
