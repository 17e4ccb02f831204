import { spawn } from 'node:child_process';
import path from 'node:path';
import { verifyPassword } from '../../../lib';
import type { UserRecord } from '../../../lib/types';
import { entry } from '../../helpers';
import { usersFileInTempDir } from './run';

// Two real processes of the built bin edit one file at the same moment, round after round: every
// change that reported success must be in the file afterwards (SPEC §5). With the lock, neither
// has to give up: the later one waits and applies its change on top of the other's.
const BIN = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const ROUNDS = 28;
jest.setTimeout(240_000);

interface Run {
  args: string[];
  input?: string;
  /** True when the file holds this run's change; `stdout` is what it printed (a key). */
  applied: (records: readonly UserRecord[], stdout: string) => Promise<boolean>;
}

function bin(args: string[], input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

const find = (records: readonly UserRecord[], username: string) => records.find((record) => record.user.username === username);

/** The two commands of round `round`: every kind of edit meets every other kind over the rounds. */
function pairOf(round: number): [Run, Run] {
  const added = (name: string): Run => ({
    args: ['add-user', name, '--cost', '10'],
    input: `${name}-pw`,
    applied: async (records, stdout) => find(records, name)?.apiKey === stdout.trim(),
  });
  const password = (name: string): Run => ({
    args: ['set-password', name, '--cost', '10'],
    input: `${name}-pw-${round}`,
    applied: async (records) => verifyPassword(`${name}-pw-${round}`, find(records, name)?.hashedPassword ?? ''),
  });
  const rotated = (name: string): Run => ({
    args: ['rotate-key', name],
    applied: async (records, stdout) => find(records, name)?.apiKey === stdout.trim(),
  });
  const disabled = (name: string, disable: boolean): Run => ({
    args: [disable ? 'disable' : 'enable', name],
    applied: async (records) => find(records, name)?.user.disabled === disable,
  });
  const workspaces = (name: string): Run => ({
    args: ['set-workspaces', name, `team-${round}`],
    applied: async (records) => find(records, name)?.user.workspaces?.join() === `team-${round}`,
  });
  const removed = (name: string): Run => ({ args: ['remove-user', name], applied: async (records) => find(records, name) === undefined });
  const pairs: Array<[Run, Run]> = [
    [password('alice'), password('bob')],
    [added(`a${round}`), added(`b${round}`)],
    [rotated('alice'), disabled('bob', round % 2 === 1)],
    [removed(`a${round - 2}`), password('alice')],
    [rotated('bob'), added(`c${round}`)],
    [disabled('alice', round % 2 === 1), removed(`b${round - 4}`)],
    [workspaces('alice'), workspaces('bob')],
  ];
  return pairs[round % pairs.length] as [Run, Run];
}

it(`two processes editing one file at once never lose a change (${ROUNDS} rounds, every kind of edit)`, async () => {
  const folder = usersFileInTempDir();
  try {
    folder.write(`# shared by two editors\n${entry('alice', { workspaces: '[team]' })}${entry('bob')}`);
    for (let round = 0; round < ROUNDS; round++) {
      const pair = pairOf(round);
      const results = await Promise.all(pair.map((run) => bin([...run.args, '--file', folder.file], run.input)));
      const records = folder.records();
      for (const [index, run] of pair.entries()) {
        const result = results[index];
        const label = `round ${round}: ${run.args.join(' ')}`;
        expect({ label, status: result?.status, stderr: result?.stderr }).toEqual({ label, status: 0, stderr: expect.any(String) });
        expect({ label, applied: await run.applied(records, result?.stdout ?? '') }).toEqual({ label, applied: true });
      }
      expect(folder.read()).toMatch(/^# shared by two editors\n/);
      expect(folder.leftovers()).toEqual([]); // no lock and no temporary file left behind
    }
  } finally {
    folder.remove();
  }
});
