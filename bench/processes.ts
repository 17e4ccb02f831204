/**
 * Child processes of the bench: the server under test, autocannon, the raw bcrypt loop.
 * Each runs in its own process so load generator and server never share an event loop.
 * Every child is tracked and killed when the bench ends, however it ends.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(__dirname, '..');
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills every child still running, by its own pid. */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** Runs a command to its end; kills it after `timeoutMs`. */
export function run(
  command: string,
  args: string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const child = track(spawn(command, args, { cwd: ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** A TypeScript file of bench/, run by node with tsx's loader: one process, so its pid is the one to kill. */
export function tsxArgs(file: string, args: string[] = []): string[] {
  return ['--import', 'tsx', path.join(ROOT, 'bench', file), ...args];
}

export interface ServerStats {
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  cpuCores: number;
  /** The same CPU in ms. */
  cpuMs: number;
  rssMb: number;
  heapMb: number;
  arrayBuffersMb: number;
  /** With mark({ ticker: true }): the longest a 5 ms ticker came late, and the most main-thread CPU between two ticks (null off Linux). */
  tickerMaxLateMs?: number;
  tickerMaxCpuMs?: number | null;
}

export interface BenchServer {
  pid: number;
  url: string;
  /** From spawn to listening: node, the app, and loading the users file. */
  startMs: number;
  /** workspaceAuth() alone: reading, validating and indexing the users file. */
  loadMs: number;
  rssMb: number;
  /** Starts a measuring window in the server (event-loop delay, CPU; with `ticker`, a 5 ms ticker too). */
  mark(options?: { ticker?: boolean }): Promise<void>;
  /** Ends the window: what the server saw since mark(); with `gc`, memory after a full collection. */
  stats(options?: { gc?: boolean }): Promise<ServerStats>;
  /** Reload events, with the server's clock (performance.timeOrigin + now, in ms). */
  reloads: Array<{ at: number; size: number }>;
  stop(): Promise<void>;
}

/** The servers of bench/servers/: ours, no auth, the floors, the two peers, and the login-flood server (bench/login-flood.ts). */
export type ServerName = 'ours' | 'floor-start' | 'no-auth' | 'floor-api-key-bare' | 'floor-api-key' | 'floor-api-key-mounted' | 'floor-bearer' | 'passport-headerapikey' | 'express-jwt' | 'login-flood' | 'floor-login';

export interface ServerOptions {
  server?: ServerName;
  usersFile: string;
  watch?: boolean;
  maxHashes?: number;
  /** floor-login: shed with 503 beyond one hash and 1.5 s of waiting logins. */
  shed?: boolean;
  /** A command the server runs under, e.g. valgrind and its arguments (part 8). */
  wrapper?: string[];
  /** Node flags for this server, before BENCH_NODE_ARGS (part 8: --single-threaded). */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

export async function startServer(options: ServerOptions): Promise<BenchServer> {
  const started = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_USERS_FILE: options.usersFile, BENCH_WATCH: options.watch ? '1' : '0' };
  if (options.maxHashes !== undefined) env.BENCH_MAX_HASHES = String(options.maxHashes);
  if (options.shed) env.BENCH_FLOOR_SHED = '1';
  // --expose-gc: memory is read after a full collection (stats({ gc: true })). BENCH_NODE_ARGS: e.g. --cpu-prof, to profile a server.
  const nodeArgs = ['--expose-gc', ...(options.nodeArgs ?? []), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const script = tsxArgs(path.join('servers', `${options.server ?? 'ours'}.ts`));
  const [command, ...commandArgs] = [...(options.wrapper ?? []), process.execPath, ...nodeArgs, ...script] as [string, ...string[]];
  const child = track(spawn(command, commandArgs, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const reloads: BenchServer['reloads'] = [];
  // One pending reply per message type; the server dying rejects them all.
  const waiting = new Map<string, { resolve: (message: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  child.on('message', (message: Record<string, unknown>) => {
    if (message.type === 'reload') reloads.push({ at: message.at as number, size: message.size as number });
    const pending = waiting.get(message.type as string);
    waiting.delete(message.type as string);
    pending?.resolve(message);
  });
  child.once('exit', (code, signal) => {
    for (const [type, pending] of waiting) pending.reject(new Error(`bench server exited (${code ?? signal}) while waiting for "${type}"`));
    waiting.clear();
  });
  const reply = (type: string, timeoutMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(type);
        reject(new Error(`bench server: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(type, {
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  const ready = await reply('ready', options.readyTimeoutMs ?? 30_000);
  const startMs = performance.now() - started;
  return {
    pid: child.pid as number,
    url: `http://127.0.0.1:${ready.port as number}`,
    startMs,
    loadMs: ready.loadMs as number,
    rssMb: ready.rssMb as number,
    reloads,
    async mark(options = {}) {
      const marked = reply('marked');
      child.send({ type: 'mark', ticker: options.ticker === true });
      await marked;
    },
    async stats(options = {}) {
      const stats = reply('stats');
      child.send({ type: 'stats', gc: options.gc === true });
      return (await stats) as unknown as ServerStats;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface LoadResult {
  /** Mean requests per second over the run (every answer, whatever its status). */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  /** Answers other than 2xx, connection errors and timeouts: the failed requests. */
  failed: number;
}

export interface LoadOptions {
  url: string;
  seconds: number;
  /** Send exactly this many requests instead of loading for `seconds`. */
  amount?: number;
  connections: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** The core autocannon runs on (taskset), when the servers are pinned (rounds.ts, sideBySide). */
  core?: number;
}

/** One autocannon run, in its own process. */
export async function autocannon(options: LoadOptions): Promise<LoadResult> {
  const args = [require.resolve('autocannon'), '--json', '--no-progress', '-c', String(options.connections)];
  args.push(...(options.amount === undefined ? ['-d', String(options.seconds)] : ['-a', String(options.amount)]));
  if (options.method) args.push('-m', options.method);
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}=${value}`);
  if (options.body !== undefined) args.push('-b', options.body);
  args.push(options.url);
  const [command, ...commandArgs] = options.core === undefined ? [process.execPath, ...args] : ['taskset', '-c', String(options.core), process.execPath, ...args];
  const result = await run(command as string, commandArgs, { timeoutMs: (options.amount === undefined ? options.seconds + 30 : 600) * 1000 });
  if (result.code !== 0) throw new Error(`autocannon failed (${result.code}): ${result.stderr}`);
  const json = JSON.parse(result.stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number; max: number };
    '2xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    rps: json.requests.average,
    p50Ms: json.latency.p50,
    p99Ms: json.latency.p99,
    maxMs: json.latency.max,
    ok: json['2xx'],
    failed: json.non2xx + json.errors + json.timeouts,
  };
}

/** Whether processes can be pinned to cores here: two cores or more, and taskset (util-linux). */
export const CAN_PIN = os.availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** Pins every thread of a running process to the given cores (taskset's list form, e.g. "0" or "0-1"). */
export async function pin(pid: number, cores: string): Promise<void> {
  const result = await run('taskset', ['-a', '-p', '-c', cores, String(pid)], { timeoutMs: 10_000 });
  if (result.code !== 0) throw new Error(`taskset -a -p -c ${cores} ${pid} failed (${result.code}): ${result.stderr}`);
}
