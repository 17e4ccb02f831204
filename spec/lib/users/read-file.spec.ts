import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { UsersFileError } from '../../../lib/index';
import { loadUsersFileSync, readUsersFile, readUsersFileSync } from '../../../lib/users/read-file';
import { entry, tempDir } from '../../helpers';

// Children start through tsx, seconds each on a loaded machine.
jest.setTimeout(60_000);

const CHILD = path.join(__dirname, '..', '..', 'fixtures', 'users-file-child.ts');
const childArgs = (args: string[]) => ['--import', 'tsx', CHILD, ...args];

/**
 * Runs a scenario of users-file-child.ts, whose lines it returns. A FIFO opened for reading
 * blocks until a writer comes, which never does here: such a child is killed and fails the test.
 */
function runChild(...args: string[]): string[] {
  const result = spawnSync(process.execPath, childArgs(args), { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  if (result.error || result.signal) throw new Error(`the child was stopped after 30 s (${String(result.error ?? result.signal)}): it blocked`);
  expect(result.stderr).toBe('');
  return result.stdout.trim().split('\n');
}

function mkfifo(file: string): string {
  const made = spawnSync('mkfifo', [file]);
  if (made.status !== 0) throw new Error(`mkfifo ${file} failed: ${String(made.stderr)}`);
  return file;
}

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.remove());

const FIFO_REFUSAL = 'is a named pipe (FIFO), which is never read: reading one waits for a writer. A users file must be a regular file: point the path at the YAML file itself.';

/** Where the kernel has a process sleeping: `wait_for_partner` for one blocked opening a FIFO. */
function wchanOf(pid: number | undefined): string {
  try {
    return readFileSync(`/proc/${String(pid)}/wchan`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * A process blocked in opening the FIFO for writing. Opening the FIFO for reading wakes it at
 * once (the kernel wakes the partner inside that open), so while it still sleeps there,
 * nobody has opened the FIFO for reading.
 */
async function waitingWriter(fifo: string) {
  const writer = spawn('sh', ['-c', 'printf x > "$1"', 'writer', fifo], { stdio: 'ignore' });
  for (let tries = 0; tries < 400 && wchanOf(writer.pid) !== 'wait_for_partner'; tries++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(wchanOf(writer.pid)).toBe('wait_for_partner');
  return writer;
}

async function whileAWriterWaits(fifo: string, run: () => void): Promise<void> {
  const writer = await waitingWriter(fifo);
  try {
    run();
    expect(wchanOf(writer.pid)).toBe('wait_for_partner');
  } finally {
    writer.kill('SIGKILL');
  }
}

describe('only regular files are read: anything else at the path is refused at once', () => {
  it('refuses a FIFO at start-up, without opening it', async () => {
    const fifo = mkfifo(path.join(folder.dir, 'users.yml'));
    await whileAWriterWaits(fifo, () => {
      expect(runChild('start', fifo)).toEqual([`refused: The users file ${fifo} has 1 problem: |   - ${fifo}: ${FIFO_REFUSAL}`]);
    });
  });

  it('refuses a FIFO in the loader `check` uses, without opening it', async () => {
    const fifo = mkfifo(path.join(folder.dir, 'users.yml'));
    await whileAWriterWaits(fifo, () => {
      expect(runChild('check', fifo)).toEqual([`refused: The users file ${fifo} has 1 problem: |   - ${fifo}: ${FIFO_REFUSAL}`]);
    });
  });

  it('refuses a FIFO that replaced the file of a running watcher, and the process still ends on SIGTERM', async () => {
    const file = path.join(folder.dir, 'users.yml');
    writeFileSync(file, entry('alice'));
    const fifo = mkfifo(path.join(folder.dir, 'next.fifo'));
    // Waits on the FIFO's inode, wherever it is renamed to: it ends only if someone opens it for reading.
    const writer = await waitingWriter(fifo);
    const child = spawn(process.execPath, childArgs(['reload-then-sigterm', file, fifo]), { stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    let output = '';
    try {
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('refused:')) resolve();
        });
        child.once('exit', () => resolve());
      });
      expect(output).toContain(`refused: The users file ${file} has 1 problem: |   - ${file}: ${FIFO_REFUSAL}`);
      child.kill('SIGTERM');
      // Ended by itself, once its SIGTERM handler closed everything: no thread is stuck in an open().
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(wchanOf(writer.pid)).toBe('wait_for_partner');
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
      writer.kill('SIGKILL');
    }
  });

  it('checks the open file too, so a FIFO swapped in after the type check is refused, not waited on', () => {
    const fifo = mkfifo(path.join(folder.dir, 'users.yml'));
    const regular = path.join(folder.dir, 'regular.yml');
    writeFileSync(regular, entry('alice'));
    const refusal = `refused: The users file ${fifo} has 1 problem: |   - ${fifo}: ${FIFO_REFUSAL}`;
    expect(runChild('swap-before-open', fifo, regular)).toEqual([refusal, refusal]);
  });

  it('refuses a directory, a socket and a device, at start, in `check` and at reload', async () => {
    const socket = path.join(folder.dir, 'users.sock');
    const server = net.createServer().listen(socket);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      for (const [where, kind] of [
        [folder.dir, 'a directory'],
        [socket, 'a socket'],
        ['/dev/null', 'a character device'],
      ] as const) {
        const refusal = `is ${kind}. A users file must be a regular file: point the path at the YAML file itself.`;
        expect(() => readUsersFileSync(where)).toThrow(new UsersFileError(where, [{ where, message: refusal }]));
        expect(() => loadUsersFileSync(where)).toThrow(refusal);
        await expect(readUsersFile(where)).rejects.toThrow(refusal);
      }
    } finally {
      server.close();
    }
  });

  it('reads a regular file through a symbolic link', () => {
    const file = path.join(folder.dir, 'users.yml');
    writeFileSync(file, entry('alice'));
    const link = path.join(folder.dir, 'link.yml');
    spawnSync('ln', ['-s', file, link]);
    expect(readUsersFileSync(link).map((record) => record.user.username)).toEqual(['alice']);
  });
});
