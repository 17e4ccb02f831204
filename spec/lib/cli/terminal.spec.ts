import { spawn } from 'node:child_process';
import path from 'node:path';
import { verifyPassword } from '../../../lib';
import { entry } from '../../helpers';
import { describeWithTool, hasScript } from '../../system-tools';
import { usersFileInTempDir } from './run';

// On a real pseudo-terminal (util-linux `script`): what the person at the keyboard sees.
const BIN = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
jest.setTimeout(30_000);

const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

/** The bin on a terminal: everything it and the terminal show is in `output()`; `type` is the keyboard. */
function onTerminal(args: string[]) {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, TERM: 'dumb' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    output: () => output,
    exited,
    type: (keys: string | Buffer) => child.stdin.write(keys),
    /** Waits for text on the screen: typing before the prompt is up would be echoed by the terminal itself. */
    async waitFor(text: string): Promise<void> {
      const deadline = Date.now() + 20_000;
      while (!output.includes(text)) {
        if (Date.now() > deadline) throw new Error(`never saw ${JSON.stringify(text)}; the screen shows ${JSON.stringify(output)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

describeWithTool('script (util-linux)', hasScript)('passwords typed at a terminal', () => {
  it('hash-password prompts twice without echo, with backspace, and prints the hash', async () => {
    const terminal = onTerminal(['hash-password', '--cost', '10']);
    await terminal.waitFor('Password (not shown): ');
    terminal.type('tty-secret-pwX\u007f\r'); // a typo, erased
    await terminal.waitFor('Repeat the password: ');
    terminal.type('tty-secret-pw\r');
    expect(await terminal.exited).toBe(0);
    expect(terminal.output()).not.toContain('tty-secret');
    const hash = /\$2b\$10\$[./A-Za-z0-9]{53}/.exec(terminal.output())?.[0] ?? '';
    await expect(verifyPassword('tty-secret-pw', hash)).resolves.toBe(true);
  });

  it('add-user takes the password at the prompt and prints the key', async () => {
    const folder = usersFileInTempDir();
    try {
      folder.write(entry('alice'));
      const terminal = onTerminal(['add-user', 'carol', '--cost', '10', '--file', folder.file]);
      await terminal.waitFor('Password (not shown): ');
      terminal.type('carol-tty-pw\r');
      await terminal.waitFor('Repeat the password: ');
      terminal.type('carol-tty-pw\r');
      expect(await terminal.exited).toBe(0);
      const carol = folder.records().find((record) => record.user.username === 'carol');
      expect(terminal.output()).toContain(carol?.apiKey);
      expect(terminal.output()).not.toContain('carol-tty-pw');
      await expect(verifyPassword('carol-tty-pw', carol?.hashedPassword ?? '')).resolves.toBe(true);
    } finally {
      folder.remove();
    }
  });

  it('refuses two different passwords and changes nothing', async () => {
    const folder = usersFileInTempDir();
    try {
      folder.write(entry('alice'));
      const before = folder.bytes();
      const terminal = onTerminal(['set-password', 'alice', '--cost', '10', '--file', folder.file]);
      await terminal.waitFor('Password (not shown): ');
      terminal.type('first-try\r');
      await terminal.waitFor('Repeat the password: ');
      terminal.type('second-try\r');
      expect(await terminal.exited).toBe(1);
      expect(terminal.output()).toContain('The two passwords differ; nothing was changed.');
      expect(folder.bytes().equals(before)).toBe(true);
    } finally {
      folder.remove();
    }
  });

  it('refuses a typed password over 72 bytes before asking again', async () => {
    const terminal = onTerminal(['hash-password', '--cost', '10']);
    await terminal.waitFor('Password (not shown): ');
    terminal.type(`${'y'.repeat(80)}\r`);
    expect(await terminal.exited).toBe(1);
    expect(terminal.output()).toContain('bcrypt ignores everything past 72 bytes');
    expect(terminal.output()).not.toContain('Repeat the password');
    expect(terminal.output()).not.toContain('yyyy');
  });

  it('refuses what a terminal in another encoding sends (Latin-1 bytes), instead of hashing U+FFFD', async () => {
    const terminal = onTerminal(['hash-password', '--cost', '10']);
    await terminal.waitFor('Password (not shown): ');
    terminal.type(Buffer.from('p\xe9\xe9w\r', 'latin1'));
    expect(await terminal.exited).toBe(1);
    expect(terminal.output()).toContain('The password is not valid UTF-8 text');
    expect(terminal.output()).not.toMatch(/\$2b\$/);
  });

  it('Ctrl-C at the prompt cancels with exit 130', async () => {
    const terminal = onTerminal(['hash-password']);
    await terminal.waitFor('Password (not shown): ');
    terminal.type('abc\u0003');
    expect(await terminal.exited).toBe(130);
    expect(terminal.output()).toContain('Cancelled; nothing was changed.');
  });
});
