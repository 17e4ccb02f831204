import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { verifyPassword } from '../../../lib';
import { entry, tempDir } from '../../helpers';
import { cli, usersFileInTempDir } from './run';

const KEY = /^[A-Za-z0-9_-]{43}\n$/;

let folder: ReturnType<typeof usersFileInTempDir>;
beforeEach(() => {
  folder = usersFileInTempDir();
  folder.write(`# our users\n${entry('alice', { workspaces: '[team]' })}${entry('bob', { workspaces: '[]' })}`);
});
afterEach(() => folder.remove());

const run = (args: string[], input = 'a-new-password') => cli([...args, '--file', folder.file], { input });
const record = (username: string) => folder.records().find((candidate) => candidate.user.username === username);

describe('add-user', () => {
  it('adds a user with only their own workspace by default, the password from standard input, and prints only the new key', async () => {
    const { status, stdout, stderr } = await run(['add-user', 'carol', '--cost', '10'], 'carol-pw\n');
    expect(status).toBe(0);
    expect(stdout).toMatch(KEY);
    expect(stderr).toContain(`Added carol to ${folder.file}, with access to their own workspace only.`);
    const carol = record('carol');
    expect(carol?.user).toEqual({ username: 'carol', email: null, full_name: null, disabled: false, workspaces: [], superuser: false });
    expect(carol?.apiKey).toBe(stdout.trim());
    expect(carol?.hashedPassword).toMatch(/^\$2b\$10\$/);
    await expect(verifyPassword('carol-pw', carol?.hashedPassword ?? '')).resolves.toBe(true);
    expect(folder.read()).toContain('workspaces: []');
    expect(stdout + stderr).not.toContain('carol-pw');
    expect(stdout + stderr).not.toContain(carol?.hashedPassword);
  });

  it('hashes at cost 12 unless --cost says otherwise', async () => {
    expect((await run(['add-user', 'carol'])).status).toBe(0);
    expect(record('carol')?.hashedPassword).toMatch(/^\$2b\$12\$/);
  });

  it('takes team workspaces (each once), an email and a full name', async () => {
    const args = ['add-user', 'carol', '--workspaces', 'team, ops,team', '--email', 'carol@example.com', '--full-name', 'Carol Ñúñez', '--cost', '10'];
    expect((await run(args)).status).toBe(0);
    expect(record('carol')?.user).toMatchObject({ email: 'carol@example.com', full_name: 'Carol Ñúñez', workspaces: ['team', 'ops'], superuser: false });
  });

  it('makes a super-user only when asked with --superuser', async () => {
    const { status, stderr } = await run(['add-user', 'root', '--superuser', '--cost', '10']);
    expect(status).toBe(0);
    expect(stderr).toContain('access to every workspace (super-user)');
    expect(record('root')?.user).toMatchObject({ workspaces: null, superuser: true });
  });

  it('refuses --superuser with --workspaces as a usage error, before touching anything', async () => {
    const before = folder.bytes();
    const { status, stderr } = await run(['add-user', 'root', '--superuser', '--workspaces', 'team']);
    expect(status).toBe(2);
    expect(stderr).toContain('cannot be combined with --workspaces');
    expect(folder.bytes().equals(before)).toBe(true);
  });

  it('refuses a username that is already there, without asking for a password', async () => {
    const { status, stderr } = await run(['add-user', 'alice'], '');
    expect(status).toBe(1);
    expect(stderr).toContain(`alice is already a user in ${folder.file}. Change their password with set-password`);
  });

  it('edits the file named by the environment, as the server resolves it', async () => {
    const { status } = await cli(['add-user', 'carol', '--cost', '10'], { input: 'pw', env: { ARGILLA_LOCAL_AUTH_USERS_DB_FILE: folder.file } });
    expect(status).toBe(0);
    expect(record('carol')).toBeDefined();
  });

  it('refuses an environment the server would refuse, naming the variable', async () => {
    const { status, stderr } = await cli(['add-user', 'carol'], { input: 'pw', env: { ARGILLA_LOCAL_AUTH_USER_DB_FILE: folder.file } });
    expect(status).toBe(1);
    expect(stderr).toContain('ARGILLA_LOCAL_AUTH_USER_DB_FILE');
    expect(stderr).toContain('--file');
  });

  it('creates the default .users.yml in the working directory (mode 600) and says it replaces the default user', async () => {
    const empty = tempDir();
    try {
      const { status, stderr } = await cli(['add-user', 'carol', '--cost', '10'], { input: 'pw', cwd: empty.dir });
      expect(status).toBe(0);
      const file = path.join(empty.dir, '.users.yml');
      expect(stderr).toContain(`Added carol to ${file} (it did not exist: created it with mode 600, and it now replaces the default user)`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect((await cli(['list'], { cwd: empty.dir })).stdout).toContain('carol');
    } finally {
      empty.remove();
    }
  });

  it('adds the first user to a file of only comments, after them', async () => {
    folder.write('# Users of the staging server\n# (none yet)\n');
    expect((await cli(['add-user', 'carol', '--cost', '10', '--file', 'users.yml'], { input: 'pw', cwd: folder.dir })).status).toBe(0);
    expect(folder.read()).toMatch(/^# Users of the staging server\n# \(none yet\)\n- username: carol\n {2}hashed_password: /);
    expect(folder.records().map((candidate) => candidate.user.username)).toEqual(['carol']);
  });

  it('refuses a file named explicitly that does not exist, and creates nothing', async () => {
    const missing = path.join(folder.dir, 'typo.yml');
    for (const options of [{ args: ['--file', missing], env: {} }, { args: [], env: { RUBRIX_LOCAL_AUTH_USERS_DB_FILE: missing } }]) {
      const { status, stderr } = await cli(['add-user', 'carol', ...options.args], { input: 'pw', env: options.env });
      expect(status).toBe(1);
      expect(stderr).toContain(`${missing} (named by ${options.args.length ? '--file' : 'RUBRIX_LOCAL_AUTH_USERS_DB_FILE'}) does not exist`);
      expect(existsSync(missing)).toBe(false);
    }
  });
});

describe('set-password', () => {
  it("replaces the user's hash; the old password stops working", async () => {
    const { status, stdout } = await run(['set-password', 'bob', '--cost', '10'], 'bobs-new-pw\n');
    expect(status).toBe(0);
    expect(stdout).toBe(`Set the password of bob in ${folder.file}. A running server applies it within 2 seconds; tokens issued before stop working.\n`);
    await expect(verifyPassword('bobs-new-pw', record('bob')?.hashedPassword ?? '')).resolves.toBe(true);
  });

  it('refuses an unknown user before asking for a password', async () => {
    const { status, stderr } = await run(['set-password', 'nobody'], '');
    expect(status).toBe(1);
    expect(stderr).toBe(`There is no user nobody in ${folder.file}. \`express-workspace-auth list\` shows who is there.\n`);
  });
});

describe('rotate-key', () => {
  it('gives the user a new key, prints it, and the old one is gone from the file', async () => {
    const old = record('alice')?.apiKey ?? '';
    const { status, stdout } = await run(['rotate-key', 'alice']);
    expect(status).toBe(0);
    expect(stdout).toMatch(KEY);
    expect(record('alice')?.apiKey).toBe(stdout.trim());
    expect(folder.read()).not.toContain(old);
  });
});

describe('disable and enable', () => {
  it('disable sets disabled: true; again, it changes nothing and says so', async () => {
    expect(await run(['disable', 'bob'])).toMatchObject({ status: 0, stdout: `bob is now disabled in ${folder.file}. A running server applies it within 2 seconds.\n` });
    expect(record('bob')?.user.disabled).toBe(true);
    const before = folder.bytes();
    expect(await run(['disable', 'bob'])).toMatchObject({ status: 0, stdout: `bob is already disabled in ${folder.file}; nothing changed.\n` });
    expect(folder.bytes().equals(before)).toBe(true);
  });

  it('enable lets a disabled user in again', async () => {
    await run(['disable', 'bob']);
    expect((await run(['enable', 'bob'])).status).toBe(0);
    expect(record('bob')?.user.disabled).toBe(false);
    expect((await run(['enable', 'bob'])).stdout).toContain('already enabled');
  });
});

describe('remove-user', () => {
  it("removes the user's entry", async () => {
    expect((await run(['remove-user', 'alice'])).status).toBe(0);
    expect(folder.records().map((candidate) => candidate.user.username)).toEqual(['bob']);
    expect(folder.read()).toMatch(/^# our users\n- username: bob\n/);
  });

  it('refuses to remove the last user: the server would refuse a file without users', async () => {
    await run(['remove-user', 'alice']);
    const before = folder.bytes();
    const { status, stderr } = await run(['remove-user', 'bob']);
    expect(status).toBe(1);
    expect(stderr).toContain(`The users file ${folder.file} has 1 problem:`); // the loader's own report
    expect(stderr).toContain(`Refused: the server would not load the file after this change, so ${folder.file} was left exactly as it was.`);
    expect(folder.bytes().equals(before)).toBe(true);
  });
});

describe('list', () => {
  it('shows username, workspaces, disabled and super-user, and never a secret', async () => {
    await run(['add-user', 'root', '--superuser', '--cost', '10']);
    await run(['disable', 'bob']);
    const { status, stdout } = await run(['list']);
    expect(status).toBe(0);
    expect(stdout).toBe(
      [
        'USERNAME  WORKSPACES         DISABLED  SUPER-USER',
        'alice     team               no        no',
        'bob       (own only)         yes       no',
        'root      (every workspace)  no        yes',
        '',
      ].join('\n'),
    );
    for (const { apiKey, hashedPassword } of folder.records()) {
      expect(stdout).not.toContain(apiKey);
      expect(stdout).not.toContain(hashedPassword);
    }
  });

  it('says the server runs with its default user when there is no file', async () => {
    const empty = tempDir();
    try {
      const { status, stderr } = await cli(['list'], { cwd: empty.dir });
      expect(status).toBe(1);
      expect(stderr).toContain('does not exist, so the server runs with its default user');
    } finally {
      empty.remove();
    }
  });
});
