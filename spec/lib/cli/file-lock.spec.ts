import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { lockFile, STALE_AFTER_MS } from '../../../lib/cli/file-lock';
import { entry } from '../../helpers';
import { cli, usersFileInTempDir } from './run';

jest.setTimeout(60_000);

let folder: ReturnType<typeof usersFileInTempDir>;
beforeEach(() => {
  folder = usersFileInTempDir();
  folder.write(entry('alice'));
});
afterEach(() => folder.remove());

const lockPath = () => `${folder.file}.lock`;
const holder = (pid: number, host = hostname()) => `${JSON.stringify({ pid, host, command: 'disable alice', since: '2026-01-01T00:00:00.000Z' })}\n`;
/** The pid of a process that has ended: no process has it now. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid ?? 0;

describe('the lock next to the users file', () => {
  it('is taken for the edit and removed after it', async () => {
    const lock = await lockFile(folder.file, 'disable alice');
    expect(JSON.parse(readFileSync(lockPath(), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), command: 'disable alice' });
    expect(lock.stillHeld()).toBe(true);
    lock.release();
    expect(existsSync(lockPath())).toBe(false);
    expect((await cli(['disable', 'alice', '--file', folder.file])).status).toBe(0);
    expect(folder.leftovers()).toEqual([]);
  });

  it('makes a second taker wait until the first releases it', async () => {
    const first = await lockFile(folder.file, 'first');
    let secondHasIt = false;
    const second = lockFile(folder.file, 'second').then((lock) => {
      secondHasIt = true;
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondHasIt).toBe(false);
    first.release();
    (await second).release();
    expect(secondHasIt).toBe(true);
  });

  it('takes over at once a lock whose process on this host is gone (a crashed edit)', async () => {
    writeFileSync(lockPath(), holder(deadPid()));
    const started = Date.now();
    const { status } = await cli(['disable', 'alice', '--file', folder.file]);
    expect(status).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(folder.records()[0]?.user.disabled).toBe(true);
    expect(folder.leftovers()).toEqual([]);
  });

  it('waits for a live holder and then says who holds it, changing nothing', async () => {
    const sleeper = spawn('sleep', ['30']);
    try {
      writeFileSync(lockPath(), holder(sleeper.pid ?? 0));
      const before = folder.bytes();
      await expect(lockFile(folder.file, 'disable alice', 500)).rejects.toThrow(
        `${folder.file} is being edited by process ${sleeper.pid} on ${hostname()} (disable alice) since 2026-01-01T00:00:00.000Z, for more than 0.5 s now. Nothing was changed.`,
      );
      expect(folder.bytes().equals(before)).toBe(true);
      expect(existsSync(lockPath())).toBe(true); // not ours to remove
    } finally {
      sleeper.kill();
    }
  });

  it('waits for a fresh lock of another host (a container: its pids mean nothing here), and takes it over once stale', async () => {
    writeFileSync(lockPath(), holder(1, 'some-container'));
    await expect(lockFile(folder.file, 'disable alice', 300)).rejects.toThrow('is being edited by process 1 on some-container');
    const longAgo = new Date(Date.now() - STALE_AFTER_MS - 1000);
    utimesSync(lockPath(), longAgo, longAgo); // its holder stopped refreshing it
    const lock = await lockFile(folder.file, 'disable alice', 300);
    expect(JSON.parse(readFileSync(lockPath(), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('knows when another took the lock over (then the save is refused), and leaves the other\'s lock', async () => {
    const lock = await lockFile(folder.file, 'slow edit');
    writeFileSync(`${lockPath()}.new`, holder(process.pid));
    spawnSync('mv', [`${lockPath()}.new`, lockPath()]); // what a waiter does to a lock it judged stale
    expect(lock.stillHeld()).toBe(false);
    lock.release();
    expect(existsSync(lockPath())).toBe(true); // the other's lock stays
  });
});
