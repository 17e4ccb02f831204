import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'yaml';
import { writeFileAtomically } from '../../../lib/cli/atomic-write';
import { entry, tempDir } from '../../helpers';
import { cli, usersFileInTempDir } from './run';

let folder: ReturnType<typeof usersFileInTempDir>;
beforeEach(() => {
  folder = usersFileInTempDir();
  folder.write(entry('alice', { workspaces: '[team]' }));
});
afterEach(() => folder.remove());

const run = (args: string[], input = 'a-new-password') => cli([...args, '--file', folder.file, ...(args[0] === 'add-user' || args[0] === 'set-password' ? ['--cost', '10'] : [])], { input });

describe('saving atomically', () => {
  it('replaces the file by a new one (a rename) with the same mode, leaving no temporary file', async () => {
    chmodSync(folder.file, 0o660); // a mode the umask (022) would narrow
    const before = statSync(folder.file);
    expect((await run(['disable', 'alice'])).status).toBe(0);
    const after = statSync(folder.file);
    expect(after.mode & 0o7777).toBe(0o660);
    expect(after.ino).not.toBe(before.ino);
    expect(folder.leftovers()).toEqual([]);
  });

  // Root editing the app user's file must not leave it owned by root (the server could no longer read it).
  (process.getuid?.() === 0 ? it : it.skip)("keeps the file's owner when run as root", async () => {
    chownSync(folder.file, 65534, 65534);
    expect((await run(['disable', 'alice'])).status).toBe(0);
    expect(statSync(folder.file)).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it('edits the target of a symbolic link and keeps the link', async () => {
    const other = tempDir();
    try {
      const link = path.join(other.dir, 'users-link.yml');
      symlinkSync(folder.file, link);
      expect((await cli(['disable', 'alice', '--file', link])).status).toBe(0);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(folder.read()).toContain('disabled: true');
      expect(folder.leftovers()).toEqual([]);
    } finally {
      other.remove();
    }
  });

  it('applies its change on top of one saved meanwhile (while it waited for the password), keeping both', async () => {
    // Standard input that edits the file while add-user waits for the password.
    const stdin = new Readable({
      read() {
        appendFileSync(folder.file, '# edited meanwhile\n');
        this.push('carol-pw');
        this.push(null);
      },
    });
    const { status } = await cli(['add-user', 'carol', '--cost', '10', '--file', folder.file], { stdin });
    expect(status).toBe(0);
    expect(folder.read()).toMatch(/\n- username: carol\n[\s\S]*\n# edited meanwhile\n$/);
    expect(folder.records().map((record) => record.user.username)).toEqual(['alice', 'carol']);
    expect(folder.leftovers()).toEqual([]);
  });

  it('refuses to rename over a file that changed after it was read (an editor that takes no lock), and removes its temporary file', async () => {
    const expected = folder.bytes();
    appendFileSync(folder.file, '# saved by an editor\n');
    await expect(writeFileAtomically(folder.file, 'replaced\n', { mode: 0o600, expected })).rejects.toThrow(
      `${folder.file} changed while this command was editing it. Nothing was changed; run the command again.`,
    );
    expect(folder.read()).toMatch(/# saved by an editor\n$/);
    expect(folder.leftovers()).toEqual([]);
  });
});

describe('refusals leave the file byte for byte as it was', () => {
  it.each([
    ['an email the loader refuses', ['add-user', 'carol', '--email', 'not-an-email'], 1, 'is not a plausible email address', 'pw'],
    ['a malformed username', ['add-user', 'Carol'], 2, 'is not a valid username', 'pw'],
    ['a malformed workspace', ['add-user', 'carol', '--workspaces', 'team,../etc'], 2, 'is not a valid workspace name', 'pw'],
    ['an unknown user', ['rotate-key', 'nobody'], 1, 'There is no user nobody', ''],
    ['a duplicate user', ['add-user', 'alice'], 1, 'alice is already a user', 'pw'],
    ['a password over 72 bytes', ['add-user', 'carol'], 1, 'bcrypt ignores everything past 72 bytes', 'x'.repeat(73)],
  ])('%s', async (_, args, code, message, input) => {
    const before = folder.bytes();
    const { status, stdout, stderr } = await run(args, input);
    expect(status).toBe(code);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(folder.bytes().equals(before)).toBe(true);
    expect(folder.leftovers()).toEqual([]);
  });

  it('refuses to edit a file the server already refuses, with the full report', async () => {
    folder.write(entry('alice') + entry('Bad'));
    const before = folder.bytes();
    const { status, stderr } = await run(['disable', 'alice']);
    expect(status).toBe(1);
    expect(stderr).toContain('entry 2 (Bad), field "username"');
    expect(stderr).toContain('Nothing was changed. Fix these first (`express-workspace-auth check` lists them)');
    expect(folder.bytes().equals(before)).toBe(true);
  });

  it.each([
    ['a Latin-1 byte', [0x63, 0x61, 0x66, 0xe9]],
    ['an overlong encoding', [0xc0, 0x80]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a sequence cut short', [0xe2, 0x82]],
  ])('refuses a file that is not valid UTF-8 (%s) rather than rewriting its bytes', async (_, bytes) => {
    folder.write(Buffer.concat([Buffer.from(entry('alice')), Buffer.from('# '), Buffer.from(bytes), Buffer.from('\n')]));
    const before = folder.bytes();
    const { status, stderr } = await run(['disable', 'alice']);
    expect(status).toBe(1);
    expect(stderr).toContain('is not valid UTF-8');
    expect(folder.bytes().equals(before)).toBe(true);
  });
});

describe('hostile names and values', () => {
  it.each([['__proto__'], ['_x'], ['Bob'], ['a b'], [''], ['jane\nbob'], ['x\u001b[2Jy'], ['x\u0085y'], ['admin\u202enimda']])(
    'refuses the username %j as a usage error, escaped in the message',
    async (username) => {
      const { status, stderr } = await run(['add-user', username]);
      expect(status).toBe(2);
      expect(stderr.split('\n')[0]).toContain('is not a valid username'); // no line forged by the name
      // Nothing invisible or direction-changing but the line breaks between messages.
      expect(stderr.replace(/\n/g, '')).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u);
    },
  );

  it('manages users named like Object.prototype members as any other', async () => {
    for (const name of ['constructor', 'tostring', 'hasownproperty']) {
      expect((await run(['add-user', name])).status).toBe(0);
    }
    expect((await run(['set-password', 'constructor'])).status).toBe(0);
    expect((await run(['remove-user', 'constructor'])).status).toBe(0);
    expect(folder.records().map((record) => record.user.username)).toEqual(['alice', 'tostring', 'hasownproperty']);
  });

  it.each(['null', 'yes', 'on', 'off', '123', '1e3', '2024-01-01', '0x1f', '0o17', '1_000'])(
    'quotes the name %j, which bare YAML 1.1 or 1.2 would read as something other than a string',
    async (name) => {
      // After an entry written bare, so the quotes come from the value itself, not from its neighbour's style.
      expect((await run(['add-user', name, '--workspaces', `${name},x`])).status).toBe(0);
      expect(folder.records()[1]?.user).toMatchObject({ username: name, workspaces: [name, 'x'] });
      // As PyYAML (YAML 1.1, what Argilla uses) reads it, too.
      const asYaml11 = parse(folder.read(), { version: '1.1' }) as Array<{ username: unknown; workspaces?: unknown }>;
      expect(asYaml11[1]).toMatchObject({ username: name, workspaces: [name, 'x'] });
    },
  );

  it('refuses a huge --full-name without echoing it', async () => {
    const { status, stderr } = await run(['add-user', 'carol', '--full-name', 'x'.repeat(1_000_000)]);
    expect(status).toBe(2);
    expect(stderr).toContain('--full-name is 1000000 characters long: at most 256 are accepted');
    expect(stderr.length).toBeLessThan(1000);
  });

  it.each([
    ['a line break', 'Carol\nSmith', 'U+000A'],
    ['an escape sequence', 'Carol\u001b[31m', 'U+001B'],
    ['a right-to-left override', 'Carol\u202egnp.exe', 'U+202E'],
    ['a zero-width space', 'Car\u200Bol', 'U+200B'],
    ['a right-to-left mark', 'Carol\u200F', 'U+200F'],
    ['a byte-order mark', '\uFEFFCarol', 'U+FEFF'],
    ['a directional isolate', 'Carol \u2066x\u2069', 'U+2066'],
    ['a soft hyphen', 'Ca\u00ADrol', 'U+00AD'],
    ['a word joiner', 'Car\u2060ol', 'U+2060'],
    ['a paragraph separator', 'Carol\u2029Smith', 'U+2029'],
    ['a replacement character (a command line that was not UTF-8)', 'Caf\uFFFD', 'U+FFFD'],
  ])('refuses a full name or email with %s, naming the character', async (_, text, codePoint) => {
    for (const option of ['--full-name', '--email']) {
      const value = option === '--email' ? `${text.replace(/ /g, '')}@example.com` : text;
      const { status, stderr } = await run(['add-user', 'carol', option, value]);
      expect(status).toBe(2);
      expect(stderr).toContain(`${option} contains ${codePoint}, an invisible, control or text-direction character: use printable text only.`);
    }
    expect(folder.read()).not.toContain('carol');
  });

  it('keeps the zero-width joiner and non-joiner in a full name: Persian, Hindi and emoji spell words with them', async () => {
    const names = ['Mohammad\u200CReza', '\u0915\u094D\u200D\u0937', '\u{1F469}\u200D\u{1F52C}'];
    for (const [index, name] of names.entries()) {
      expect((await run(['add-user', `user${index}`, '--full-name', name])).status).toBe(0);
    }
    expect(folder.records().slice(1).map((record) => record.user.full_name)).toEqual(names);
    expect((await run(['add-user', 'carol', '--email', 'car\u200Dol@example.com'])).status).toBe(2); // never in an email
  });
});

describe('only a regular file is edited, without blocking', () => {
  it.each([['add-user', 'carol'], ['set-password', 'alice'], ['disable', 'alice'], ['list']])('%s refuses a FIFO at the path at once', async (...args) => {
    const fifo = path.join(folder.dir, 'users.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const { status, stderr } = await cli([...args, '--file', fifo], { input: 'pw' });
    expect(status).toBe(1);
    expect(stderr).toBe(`${fifo} is a named pipe (FIFO), not a regular file: a users file must be a plain YAML file. Nothing was changed.\n`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(folder.leftovers()).toEqual(['users.fifo']);
  });

  it('refuses a directory', async () => {
    const directory = path.join(folder.dir, 'users.d');
    mkdirSync(directory);
    const { status, stderr } = await cli(['disable', 'alice', '--file', directory]);
    expect(status).toBe(1);
    expect(stderr).toContain('is a directory, not a regular file');
  });

  it('refuses a symbolic link to nothing instead of replacing the link', async () => {
    const link = path.join(folder.dir, 'dangling.yml');
    symlinkSync(path.join(folder.dir, 'nowhere.yml'), link);
    const { status, stderr } = await cli(['add-user', 'carol', '--file', link], { input: 'pw' });
    expect(status).toBe(1);
    expect(stderr).toContain('is a symbolic link to a file that does not exist');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});

it('never writes a password or hash to its output', async () => {
  const password = 'very-secret-password';
  const outputs = [await run(['add-user', 'carol'], password), await run(['set-password', 'carol'], password), await run(['list'])];
  const hash = folder.records().find((record) => record.user.username === 'carol')?.hashedPassword ?? 'missing';
  for (const { stdout, stderr } of outputs) {
    expect(stdout + stderr).not.toContain(password);
    expect(stdout + stderr).not.toContain(hash);
  }
  expect(readFileSync(folder.file, 'utf8')).not.toContain(password);
});
