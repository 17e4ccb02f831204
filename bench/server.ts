/**
 * The server under test, run in its own process (spawned by bench/run.ts with an IPC
 * channel) so the load generator never shares its event loop. It uses the compiled
 * library, as an app installing the package would.
 *
 * Environment: BENCH_USERS_FILE (required), BENCH_WATCH=1 to watch the file,
 * BENCH_MAX_HASHES to pass the maxConcurrentHashes option (part 4: unbounded vs the default).
 * IPC out: {type:'ready'}, {type:'reload'} (with the time, for the reload phase), replies.
 * IPC in: {type:'mark'} starts a measuring window, {type:'stats'} ends it and replies with
 * the event-loop delay, CPU use and memory of the window.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import express, { type RequestHandler } from 'express';

// The compiled library, as an installed package runs it (`npm run bench` builds it first).
// biome-ignore lint/style/noCommonJs: required, not imported, so `npm run typecheck` does not depend on dist/ existing.
const { workspaceAuth } = require('../dist') as typeof import('../lib');

const usersFile = process.env.BENCH_USERS_FILE;
if (!usersFile || !process.send) {
  console.error('bench/server.ts is started by bench/run.ts (it needs BENCH_USERS_FILE and an IPC channel).');
  process.exit(2);
}
const send = (message: object): void => {
  process.send?.(message);
};

const quiet = { info: () => undefined, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

// Time to load, validate and index the users file: the part of start-up the file's size drives.
const started = performance.now();
const auth = workspaceAuth({
  usersFile,
  env: {},
  secretKey: 'bench-secret-key-0123456789abcdef0123456789',
  watch: process.env.BENCH_WATCH === '1',
  logger: quiet,
  // The failed-login limit would turn the login storm into 429s; it is not what is measured.
  loginRateLimit: { limit: 1_000_000 },
  ...(process.env.BENCH_MAX_HASHES ? { maxConcurrentHashes: Number(process.env.BENCH_MAX_HASHES) } : {}),
});
const loadMs = performance.now() - started;

auth.on('reload', (users) => send({ type: 'reload', at: performance.timeOrigin + performance.now(), size: users.size }));

const app = express();
app.use(auth);
// The same trivial handler with and without auth, so the difference is the auth alone.
const hello: RequestHandler = (req, res) => {
  res.json({ ok: true, workspace: req.workspace ?? null });
};
app.get('/plain', hello);
app.get('/guarded', auth.authenticate, auth.requireWorkspace(), hello);

// 1 ms resolution: the histogram records whole timer intervals, so values carry up to 1 ms of interval.
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let cpuMark = process.cpuUsage();
let timeMark = performance.now();

process.on('message', (message: { type?: string; gc?: boolean }) => {
  if (message.type === 'mark') {
    delay.reset();
    cpuMark = process.cpuUsage();
    timeMark = performance.now();
    send({ type: 'marked' });
  } else if (message.type === 'stats') {
    const cpu = process.cpuUsage(cpuMark);
    const wallMs = performance.now() - timeMark;
    // After the window's figures: a full collection (node --expose-gc) so the heap is what stays alive.
    if (message.gc) (globalThis as { gc?: () => void }).gc?.();
    const memory = process.memoryUsage();
    send({
      type: 'stats',
      eldP50Ms: delay.percentile(50) / 1e6,
      eldP99Ms: delay.percentile(99) / 1e6,
      eldMaxMs: delay.max / 1e6,
      // CPU of the whole process (event loop and bcrypt threads), in cores.
      cpuCores: (cpu.user + cpu.system) / 1000 / wallMs,
      rssMb: memory.rss / 2 ** 20,
      heapMb: memory.heapUsed / 2 ** 20,
    });
  } else if (message.type === 'exit') {
    auth.close();
    process.exit(0);
  }
});
// The orchestrator going away (even killed) closes the channel: never outlive it.
process.on('disconnect', () => process.exit(0));

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const memory = process.memoryUsage();
  send({ type: 'ready', port, loadMs, users: auth.users().size, rssMb: memory.rss / 2 ** 20, heapMb: memory.heapUsed / 2 ** 20 });
});
