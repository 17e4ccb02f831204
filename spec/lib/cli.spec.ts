import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { verifyPassword } from '../../lib';
import { entry, tempDir, USERS_FILE } from '../helpers';

// The built bin, as users run it (`npm test` builds dist/ first).
const BIN = path.join(__dirname, '..', '..', 'dist', 'cli.js');

function cli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    input: options.input ?? '',
    env: options.env ?? { PATH: process.env.PATH },
    cwd: options.cwd,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('express-workspace-auth hash-password', () => {
  it('prints a $2b$ hash of cost 12 of the password on standard input, without its trailing newline', async () => {
    const { status, stdout } = cli(['hash-password'], { input: 'correct horse\n' });
    expect(status).toBe(0);
    const hash = stdout.trim();
    expect(hash).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}$/);
    await expect(verifyPassword('correct horse', hash)).resolves.toBe(true);
  });

  it('takes --cost', () => {
    expect(cli(['hash-password', '--cost', '10'], { input: 'pw' }).stdout).toMatch(/^\$2b\$10\$/);
  });

  it.each([['--cost', '9'], ['--cost', '16'], ['--cost'], ['--rounds', '12']])('refuses %j with the valid range', (...args) => {
    const { status, stdout, stderr } = cli(['hash-password', ...args], { input: 'pw' });
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--cost N, with N from 10 to 15');
  });

  it('refuses an empty password, with an example', () => {
    const { status, stderr } = cli(['hash-password'], { input: '\n' });
    expect(status).toBe(2);
    expect(stderr).toContain('no password on standard input');
  });
});

describe('express-workspace-auth check', () => {
  it('says a valid file is fine', () => {
    const { status, stdout } = cli(['check', USERS_FILE]);
    expect(status).toBe(0);
    expect(stdout).toBe(`${USERS_FILE}: 6 users, no problems.\n`);
  });

  it('prints every problem and exits 1', () => {
    const { dir, remove } = tempDir();
    try {
      const file = path.join(dir, 'users.yml');
      writeFileSync(file, entry('Bad') + entry('ok', { workspace: '[a]' }));
      const { status, stderr } = cli(['check', file]);
      expect(status).toBe(1);
      expect(stderr).toContain(`The users file ${file} has 2 problems:`);
      expect(stderr).toContain('entry 1 (Bad), field "username"');
      expect(stderr).toContain('entry 2 (ok), field "workspace": is not a known field. Did you mean "workspaces"?');
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      remove();
    }
  });

  it('says in one line that a missing file does not exist', () => {
    const { status, stderr } = cli(['check', '/nonexistent/users.yml']);
    expect(status).toBe(1);
    expect(stderr).toBe('check: /nonexistent/users.yml does not exist.\n');
  });

  it('checks the file named by the environment when given none', () => {
    const { status, stdout } = cli(['check'], { env: { PATH: process.env.PATH, RUBRIX_LOCAL_AUTH_USERS_DB_FILE: USERS_FILE } });
    expect(status).toBe(0);
    expect(stdout).toContain(`${USERS_FILE}: 6 users`);
  });

  it('checks .users.yml in the working directory by default', () => {
    const { status, stderr } = cli(['check'], { cwd: '/' });
    expect(status).toBe(1);
    expect(stderr).toBe('check: /.users.yml does not exist.\n');
  });
});

describe('express-workspace-auth gen-api-key', () => {
  it('prints a new random URL-safe key of at least 32 characters each time', () => {
    const first = cli(['gen-api-key']);
    const second = cli(['gen-api-key']);
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.stdout).not.toBe(first.stdout);
  });
});

describe('usage', () => {
  it('prints usage and exits 2 for no or an unknown command', () => {
    expect(cli([])).toMatchObject({ status: 2, stderr: expect.stringContaining('Usage: express-workspace-auth <command>') });
    expect(cli(['hash'])).toMatchObject({ status: 2, stderr: expect.stringContaining('Unknown command "hash"') });
    expect(cli(['--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('gen-api-key') });
  });
});
