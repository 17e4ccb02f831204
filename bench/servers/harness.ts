/**
 * What every bench server shares: the IPC with bench/run.ts (measuring windows of CPU,
 * event-loop delay and memory), listening on a free loopback port, and never outliving
 * the orchestrator. A server file builds its Express app and hands it to serve().
 *
 * IPC out: {type:'ready'}, replies; a server may send more (ours: {type:'reload'}).
 * IPC in: {type:'mark'} starts a measuring window, {type:'stats'} ends it and replies with
 * the window's event-loop delay and CPU and the memory (after a full GC when asked),
 * {type:'exit'}. {type:'mark', ticker: true} also runs a 5 ms ticker through the window (the
 * reload stall, part 9).
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Express, RequestHandler } from 'express';

/** The key every bench server signs or verifies access tokens with (HS256). */
export const SECRET_KEY = 'bench-secret-key-0123456789abcdef0123456789';

/** The trivial handler every variant ends in, so a difference between variants is the auth alone. */
export const hello: RequestHandler = (req, res) => {
  res.json({ ok: true, workspace: req.workspace ?? null });
};

/** An environment variable the orchestrator must set: a server started by hand says what it needs. */
export function required(name: string): string {
  const value = process.env[name];
  if (!value || !process.send) {
    console.error(`bench servers are started by bench/run.ts (this one needs ${name} and an IPC channel).`);
    process.exit(2);
  }
  return value;
}

export const send = (message: object): void => {
  process.send?.(message);
};

/**
 * Full collections (node --expose-gc) until the heap stops shrinking, so it holds only what
 * stays alive: one is not always enough (objects dropped just before can survive it).
 */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('bench servers run with --expose-gc');
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used > last - 64 * 1024) return;
    last = used;
  }
}

/** The main thread's CPU time so far, in ms, from /proc (Linux; else undefined): what the thread itself ran, waits for a core excluded. */
function mainThreadCpuMs(): number | undefined {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

const TICK_MS = 5;

/**
 * A 5 ms setInterval ticker, as SPEC §5 measures a stall: the longest any tick came late (what a
 * request arriving then waits for the event loop), and the most CPU the main thread ran between
 * two ticks. The first is what a client feels; on a busy machine it also holds the waits for a
 * core, which the second leaves out: that one is the stall the process itself makes.
 */
function startTicker(): () => { tickerMaxLateMs: number; tickerMaxCpuMs: number | null } {
  let lastAt = performance.now();
  let lastCpu = mainThreadCpuMs();
  let maxLate = 0;
  let maxCpu = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = mainThreadCpuMs();
    maxLate = Math.max(maxLate, now - lastAt - TICK_MS);
    if (cpu !== undefined && lastCpu !== undefined) maxCpu = Math.max(maxCpu, cpu - lastCpu);
    lastAt = now;
    lastCpu = cpu;
  }, TICK_MS);
  return () => {
    clearInterval(timer);
    return { tickerMaxLateMs: maxLate, tickerMaxCpuMs: lastCpu === undefined ? null : maxCpu };
  };
}

export function serve(app: Express, ready: { loadMs: number; users: number }, onExit: () => void = () => undefined): void {
  // 1 ms resolution: the histogram records whole timer intervals, so values carry up to 1 ms of interval.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let cpuMark = process.cpuUsage();
  let timeMark = performance.now();

  let stopTicker: ReturnType<typeof startTicker> | undefined;

  process.on('message', (message: { type?: string; gc?: boolean; ticker?: boolean }) => {
    if (message.type === 'mark') {
      stopTicker?.();
      stopTicker = message.ticker ? startTicker() : undefined;
      delay.reset();
      cpuMark = process.cpuUsage();
      timeMark = performance.now();
      send({ type: 'marked' });
    } else if (message.type === 'stats') {
      const cpu = process.cpuUsage(cpuMark);
      const wallMs = performance.now() - timeMark;
      const ticker = stopTicker?.();
      stopTicker = undefined;
      if (message.gc) collectGarbage();
      const memory = process.memoryUsage();
      send({
        type: 'stats',
        eldP50Ms: delay.percentile(50) / 1e6,
        eldP99Ms: delay.percentile(99) / 1e6,
        eldMaxMs: delay.max / 1e6,
        // CPU of the whole process (event loop and bcrypt threads), in cores.
        cpuCores: (cpu.user + cpu.system) / 1000 / wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        rssMb: memory.rss / 2 ** 20,
        heapMb: memory.heapUsed / 2 ** 20,
        // Buffers and typed arrays live outside the V8 heap: reported beside it, so nothing hides there.
        arrayBuffersMb: memory.arrayBuffers / 2 ** 20,
        ...ticker,
      });
    } else if (message.type === 'exit') {
      onExit();
      process.exit(0);
    }
  });
  // The orchestrator going away (even killed) closes the channel: never outlive it.
  process.on('disconnect', () => process.exit(0));

  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const memory = process.memoryUsage();
    send({ type: 'ready', port, ...ready, rssMb: memory.rss / 2 ** 20, heapMb: memory.heapUsed / 2 ** 20 });
  });
}
