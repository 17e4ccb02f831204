/**
 * Part 8 of `npm run bench`, run only when asked (BENCH_ONLY=8; needs valgrind): instructions
 * per request, which do not swing with the machine as throughput does (bench/RESULTS.md: one
 * server alone answers ±20% from one second to the next here). Each server runs under
 * callgrind with instrumentation off; after WARM_UP requests (autocannon, 10 connections) it
 * is switched on for BENCH_COUNTED requests (default 8,000), then off, and the total of the
 * process divided by that count is the figure. V8 runs single-threaded (--single-threaded), its
 * collector and compiler on the main thread: the same server then reads the same to ~0.2%
 * (759.5k and 761.4k per request, 4,000 counted), where with their helper threads two runs read
 * 735k and 770k. (Full collections just before the window do not help: the code re-warms inside
 * it, and no auth read 737k instead of 623k.)
 * valgrind runs a server ~50 times slower: each takes about a minute.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchUsers } from './make-users';
import { load } from './rounds';
import { startServer, type BenchServer, type ServerName } from './processes';
import { pct, report } from './report';

const WARM_UP = 3000;
const COUNTED = Number(process.env.BENCH_COUNTED ?? 8000);
const CONNECTIONS = 10;

/** Whether valgrind's callgrind and its control command are installed. */
export function hasCallgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function instructionsPerRequest(server: ServerName, usersFile: string, headers: (started: BenchServer) => Promise<Record<string, string>>): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ewa-callgrind-'));
  const started = await startServer({
    server,
    usersFile,
    wrapper: ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${path.join(dir, 'callgrind.out')}`],
    nodeArgs: ['--single-threaded'],
    readyTimeoutMs: 300_000,
  });
  try {
    const options = { url: `${started.url}/guarded`, seconds: 0, connections: CONNECTIONS, headers: await headers(started) };
    await load({ ...options, amount: WARM_UP });
    const control = (flag: string) => execFileSync('callgrind_control', [flag, String(started.pid)], { stdio: 'ignore' });
    control('--instr=on');
    await load({ ...options, amount: COUNTED });
    control('--instr=off');
    control('--dump');
    // The dump holds the counted window; the file valgrind writes at exit holds nothing more (instrumentation off).
    let total = 0;
    for (const file of readdirSync(dir)) {
      const totals = /^totals: (\d+)$/m.exec(readFileSync(path.join(dir, file), 'utf8'));
      total += Number(totals?.[1] ?? 0);
    }
    if (total === 0) throw new Error(`callgrind counted nothing for ${server}`);
    return total / COUNTED;
  } finally {
    await started.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function instructionCounts(usersFile: string, users: BenchUsers, tokenFrom: (server: BenchServer) => Promise<string>): Promise<void> {
  if (!hasCallgrind()) {
    report({ part: '8', measure: 'instructions per request', figure: 'not run', target: 'reported', pass: undefined, detail: 'needs valgrind (apt-get install valgrind)' });
    return;
  }
  const apiKey = { 'X-API-Key': users.team.apiKey };
  const measured: Array<[label: string, server: ServerName, headers: (started: BenchServer) => Promise<Record<string, string>>]> = [
    ['no auth', 'no-auth', async () => ({})],
    ['bare API-key floor', 'floor-api-key-bare', async () => apiKey],
    ['ours, API key', 'ours', async () => apiKey],
    ['ours, bearer token', 'ours', async (started) => ({ Authorization: `Bearer ${await tokenFrom(started)}` })],
  ];
  const counts: number[] = [];
  for (const [label, server, headers] of measured) {
    const count = await instructionsPerRequest(server, usersFile, headers);
    counts.push(count);
    const over = counts[0] === undefined || counts.length === 1 ? '' : `; ${pct(count / counts[0] - 1)} over no auth`;
    report({ part: '8', measure: `instructions per request, ${label}`, figure: `${Math.round(count / 1000)}k`, target: 'reported', pass: undefined, detail: `${COUNTED} requests after ${WARM_UP}, callgrind${over}` });
  }
}
