import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { verifyPassword } from '../../../lib';
import { entry, tempDir, USERS_FILE } from '../../helpers';
import { cli } from './run';

// In-process through runCli, as the bin runs it; spec/lib/cli/smoke.spec.ts spawns the built bin once.

describe('express-workspace-auth hash-password', () => {
  it('prints a $2b$ hash of cost 12 of the password on standard input, without its trailing newline', async () => {
    const { status, stdout } = await cli(['hash-password'], { input: 'correct horse\n' });
    expect(status).toBe(0);
    const hash = stdout.trim();
    expect(hash).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}$/);
    await expect(verifyPassword('correct horse', hash)).resolves.toBe(true);
  });

  it('takes --cost', async () => {
    expect((await cli(['hash-password', '--cost', '10'], { input: 'pw' })).stdout).toMatch(/^\$2b\$10\$/);
  });

  it.each([['--cost', '9'], ['--cost', '16'], ['--cost'], ['--rounds', '12']])('refuses %j with the valid range', async (...args) => {
    const { status, stdout, stderr } = await cli(['hash-password', ...args], { input: 'pw' });
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--cost N, with N from 10 to 15');
  });

  it('drops exactly one trailing line break: spaces are part of the password', async () => {
    const { stdout } = await cli(['hash-password', '--cost', '10'], { input: ' pass word \r\n' });
    await expect(verifyPassword(' pass word ', stdout.trim())).resolves.toBe(true);
    expect((await cli(['hash-password', '--cost', '10'], { input: 'pw\n\n' })).stderr).toContain('control character');
  });

  it('hashes a password of exactly 72 bytes, the most bcrypt reads', async () => {
    const password = 'é'.repeat(36); // 72 bytes in UTF-8
    const { status, stdout } = await cli(['hash-password', '--cost', '10'], { input: password });
    expect(status).toBe(0);
    await expect(verifyPassword(password, stdout.trim())).resolves.toBe(true);
  });

  it.each([
    ['73 ASCII characters', 'a'.repeat(73), 73],
    ['37 two-byte characters', 'é'.repeat(37), 74],
  ])('refuses a password over 72 bytes (%s), saying bcrypt would ignore the rest, without echoing it', async (_, password, bytes) => {
    const { status, stdout, stderr } = await cli(['hash-password', '--cost', '10'], { input: `${password}\n` });
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`is ${bytes} bytes long`);
    expect(stderr).toContain('bcrypt ignores everything past 72 bytes');
    expect(stderr).not.toContain(password.slice(0, 10));
  });

  it.each([['a tab', 'pass\tword'], ['a second line', 'first\nsecond\n'], ['a NUL byte', 'pass\u0000word'], ['an escape', 'pass\u001b[2Jword']])(
    'refuses a password with %s, which no login form can send',
    async (_, input) => {
      const { status, stdout, stderr } = await cli(['hash-password', '--cost', '10'], { input });
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain('control character');
    },
  );

  it('stops reading a flood on standard input instead of buffering it', async () => {
    let served = 0;
    const flood = new Readable({
      read() {
        served += 65536;
        this.push(served > 64 * 1024 * 1024 ? null : Buffer.alloc(65536, 'a'));
      },
    });
    const { status, stderr } = await cli(['hash-password'], { stdin: flood });
    expect(status).toBe(1);
    expect(stderr).toContain('More than 4096 bytes on standard input');
    expect(served).toBeLessThan(1024 * 1024);
  });

  it('refuses an empty password, with an example', async () => {
    const { status, stderr } = await cli(['hash-password'], { input: '\n' });
    expect(status).toBe(2);
    expect(stderr).toContain('no password on standard input');
  });
});

describe('express-workspace-auth check', () => {
  it('says a valid file is fine', async () => {
    const { status, stdout, stderr } = await cli(['check', USERS_FILE]);
    expect(status).toBe(0);
    expect(stdout).toBe(`${USERS_FILE}: 6 users, no problems.\n`);
    // The fixture's htpasswd hash has cost 5: the warning the server logs at start, printed here too.
    expect(stderr).toContain(`The users file ${USERS_FILE} has 1 warning:`);
    expect(stderr).toContain('entry 5 (sleepy), field "hashed_password": has bcrypt cost 5, below the recommended 10');
  });

  it('prints every problem and exits 1', async () => {
    const { dir, remove } = tempDir();
    try {
      const file = path.join(dir, 'users.yml');
      writeFileSync(file, entry('Bad') + entry('ok', { workspace: '[a]' }));
      const { status, stderr } = await cli(['check', file]);
      expect(status).toBe(1);
      expect(stderr).toContain(`The users file ${file} has 2 problems:`);
      expect(stderr).toContain('entry 1 (Bad), field "username"');
      expect(stderr).toContain('entry 2 (ok), field "workspace": is not a known field. Did you mean "workspaces"?');
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      remove();
    }
  });

  it('says in one line that a missing file does not exist', async () => {
    const { status, stderr } = await cli(['check', '/nonexistent/users.yml']);
    expect(status).toBe(1);
    expect(stderr).toBe('check: /nonexistent/users.yml does not exist.\n');
  });

  it('checks the file named by the environment when given none', async () => {
    const { status, stdout } = await cli(['check'], { env: { RUBRIX_LOCAL_AUTH_USERS_DB_FILE: USERS_FILE } });
    expect(status).toBe(0);
    expect(stdout).toContain(`${USERS_FILE}: 6 users`);
  });

  it('checks .users.yml in the working directory by default', async () => {
    const { status, stderr } = await cli(['check'], { cwd: '/' });
    expect(status).toBe(1);
    expect(stderr).toBe('check: /.users.yml does not exist.\n');
  });
});

describe('express-workspace-auth gen-api-key', () => {
  it('prints a new random URL-safe key of at least 32 characters each time', async () => {
    const first = await cli(['gen-api-key']);
    const second = await cli(['gen-api-key']);
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.stdout).not.toBe(first.stdout);
  });
});

describe('express-workspace-auth gen-secret', () => {
  it('prints a new signing key of 32 random bytes, base64url, on one line, each time', async () => {
    const first = await cli(['gen-secret']);
    const second = await cli(['gen-secret']);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(Buffer.from(first.stdout.trim(), 'base64url')).toHaveLength(32);
    expect(second.stdout).not.toBe(first.stdout);
  });

  it('takes no arguments', async () => {
    expect(await cli(['gen-secret', '64'])).toMatchObject({ status: 2, stdout: '', stderr: expect.stringContaining('Usage: express-workspace-auth gen-secret') });
  });
});

describe('usage', () => {
  it('lists every command', async () => {
    const { stdout } = await cli(['--help']);
    for (const command of ['hash-password', 'check', 'gen-api-key', 'gen-secret', 'add-user', 'set-password', 'rotate-key', 'disable', 'enable', 'remove-user', 'list']) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it.each([
    [['add-user'], 'expected 1 argument, got 0'],
    [['add-user', 'a', 'b'], 'expected 1 argument, got 2'],
    [['add-user', 'jane', '--workspace', 'a'], 'unknown option --workspace'],
    [['add-user', 'jane', '--workspaces', 'a', '--workspaces', 'b'], '--workspaces is given twice'],
    [['add-user', 'jane', '--workspaces', '--superuser'], '--workspaces needs a value'],
    [['add-user', 'jane', '--superuser=yes'], '--superuser takes no value'],
    [['list', 'extra'], 'expected 0 arguments, got 1'],
  ])('refuses %j with exit 2 and the command\'s usage', async (args, problem) => {
    const { status, stdout, stderr } = await cli(args);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(problem);
    expect(stderr).toContain(`Usage: express-workspace-auth ${args[0]}`);
  });


  it('prints usage and exits 2 for no or an unknown command', async () => {
    expect(await cli([])).toMatchObject({ status: 2, stderr: expect.stringContaining('Usage: express-workspace-auth <command>') });
    expect(await cli(['hash'])).toMatchObject({ status: 2, stderr: expect.stringContaining('Unknown command "hash"') });
    expect(await cli(['--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('gen-api-key') });
  });
});
