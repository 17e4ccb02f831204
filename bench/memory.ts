/**
 * Where the heap of a big users file goes (issue 16). Not part of `npm run bench`, which
 * measures the whole server; this takes the users apart, in one process, with the compiled
 * library (`npm run build` first):
 *
 *   node --expose-gc --import tsx bench/memory.ts [users, default 100000]
 *
 * Heap after full collections: the baseline (express and the library loaded), the parsed
 * records alone, then the UsersIndex alone (the records dropped: the index keeps what it
 * needs). Then the same with every string of the records copied out of the file's text
 * first: the difference is what parser substrings keeping the whole text alive cost.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcrypt';
import { makeKeys, usersYaml } from './make-users';

// biome-ignore lint/style/noCommonJs: required, not imported, so `npm run typecheck` does not depend on dist/ existing.
const lib = require('../dist') as typeof import('../lib');
type UserRecord = import('../lib').UserRecord;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('Run with node --expose-gc --import tsx bench/memory.ts');
  process.exit(2);
}

/** Heap in MB after full collections until it stops shrinking; a RegExp run first, as V8 keeps the last match's input. */
function heapMb(): number {
  /x/.exec('x');
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    gc?.();
    const used = process.memoryUsage().heapUsed;
    if (used > last - 64 * 1024) break;
    last = used;
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** A string of its own, not a slice of a bigger one (a Buffer round trip makes a fresh sequential string). */
const own = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

function copiedOutOfTheText(records: UserRecord[]): UserRecord[] {
  return records.map(({ user, hashedPassword, apiKey }) => ({
    user: {
      ...user,
      username: own(user.username),
      email: user.email === null ? null : own(user.email),
      full_name: user.full_name === null ? null : own(user.full_name),
      workspaces: user.workspaces?.map(own) ?? null,
    },
    hashedPassword: own(hashedPassword),
    apiKey: own(apiKey),
  }));
}

/**
 * Each step in a function of its own: a value passed in a call can stay in the caller's frame
 * (and so alive) until that frame returns, whatever variable held it.
 */
function parse(file: string, copy: boolean): { records?: UserRecord[] } {
  const records = lib.parseUsersFile(readFileSync(file, 'utf8'), file);
  return { records: copy ? copiedOutOfTheText(records) : records };
}

function indexOf(file: string, holder: { records?: UserRecord[] }): import('../lib').UsersIndex {
  const index = new lib.UsersIndex(holder.records ?? [], file);
  delete holder.records;
  return index;
}

function measure(file: string, copy: boolean): { records: number; index: number; total: number } {
  const before = heapMb();
  const holder = parse(file, copy);
  const withRecords = heapMb();
  const index = indexOf(file, holder);
  const total = heapMb();
  if (index.size === 0) throw new Error('no users');
  return { records: withRecords - before, index: total - withRecords, total };
}

function writeUsersFile(file: string, count: number): void {
  writeFileSync(file, usersYaml(count, bcrypt.hashSync('bench-password', 4), makeKeys(count)));
}

function main(): void {
  const count = Number(process.argv[2] ?? 100_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ewa-memory-'));
  try {
    const file = path.join(dir, 'users.yml');
    writeUsersFile(file, count);
    const baseline = heapMb();
    const mb = (value: number) => `${value >= 0 ? '' : '-'}${Math.abs(value).toFixed(1)} MB`;
    const perUser = (value: number) => `${Math.round((value * 2 ** 20) / count)} B/user`;
    console.log(`${count} users, ${(readFileSync(file).length / 2 ** 20).toFixed(1)} MB of YAML; Node ${process.version}; heap after full collections`);
    console.log(`  baseline (express and the library loaded): ${mb(baseline)}`);
    for (const copy of [false, true]) {
      const { records, index, total } = measure(file, copy);
      console.log(copy ? '  records copied out of the file text first:' : '  records as parseUsersFile returns them:');
      console.log(`    records alone ${mb(records)} (${perUser(records)}); the index, records dropped, ${index >= 0 ? 'adds' : 'saves'} ${mb(Math.abs(index))} (${perUser(Math.abs(index))}); total ${mb(total)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
