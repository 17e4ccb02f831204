/**
 * Throughput comparisons, side by side: two servers loaded at the same time, each by its own
 * autocannon, in rounds; the ratio of their throughputs per round, the median round counts.
 *
 * Where the machine allows it (two cores and taskset), both servers share core 0 and both
 * load generators run on core 1. Sharing one core, each server gets half of it (both are
 * always busy, and Linux shares a core evenly between busy processes), so the ratio of their
 * throughputs is the inverse ratio of their cost per request; and whatever the machine does
 * from one second to the next (this VM's speed swings by ±20% and more) meets both at once.
 * Two identical no-auth servers measure 99-103% per round this way; in turns (one server,
 * then the other) the same pair spread over 73-142% per 1-s round (bench/RESULTS.md). Runs
 * minutes apart can still differ by ±5 points, as the machine's state changes: compare pairs
 * of the same run.
 */
import os from 'node:os';
import { autocannon, CAN_PIN, pin, type BenchServer, type LoadOptions, type LoadResult } from './processes';
import { middleByRatio, pct } from './report';

export const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 3);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

/** A load run whose requests must all succeed: a bench that measures 401s measures nothing. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon(options);
  if (result.ok === 0 || result.failed > 0) {
    throw new Error(`${options.method ?? 'GET'} ${options.url}: ${result.failed} failed, ${result.ok} ok`);
  }
  return result;
}

export interface Contender {
  server: BenchServer;
  load: LoadOptions;
}

export interface SideBySide {
  /** The median round's ratio of `of`'s throughput to `to`'s. */
  ratio: number;
  /** That round's runs. */
  of: LoadResult;
  to: LoadResult;
  /** The number of rounds and the lowest and highest ratio, e.g. "10 rounds 91.0-99.2%". */
  spread: string;
  /** Whether the servers shared one core (CAN_PIN); if not, the ratio moves with the machine. */
  pinned: boolean;
  /**
   * The CPU both servers used while loaded, in cores (their processes' own, from the harness, over
   * the rounds' load time): near 1 when pinned, the premise above. Lower, the servers sat waiting
   * for requests part of the time, and the ratio holds those waits too, not only the cost per request.
   */
  serversCores: number;
}

/** `of` and `to` loaded at the same time, ROUNDS times, after a 1-s warm-up; see the top of this file. */
export async function sideBySide(of: Contender, to: Contender): Promise<SideBySide> {
  const cores = `0-${os.availableParallelism() - 1}`;
  const core = CAN_PIN ? 1 : undefined;
  if (CAN_PIN) await Promise.all([pin(of.server.pid, '0'), pin(to.server.pid, '0')]);
  try {
    await Promise.all([load({ ...of.load, seconds: 1, core }), load({ ...to.load, seconds: 1, core })]);
    await Promise.all([of.server.mark(), to.server.mark()]);
    const rounds: Array<{ ratio: number; of: LoadResult; to: LoadResult }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [ofRun, toRun] = await Promise.all([load({ ...of.load, core }), load({ ...to.load, core })]);
      rounds.push({ ratio: ofRun.rps / toRun.rps, of: ofRun, to: toRun });
    }
    const [ofStats, toStats] = await Promise.all([of.server.stats(), to.server.stats()]);
    const middle = middleByRatio(rounds);
    const spread = `${rounds.length} rounds ${pct((rounds[0] as (typeof rounds)[number]).ratio)}-${pct((rounds[rounds.length - 1] as (typeof rounds)[number]).ratio)}`;
    // The window also holds each round's autocannon starting and ending, when the servers idle: divided by the load time alone.
    const serversCores = (ofStats.cpuMs + toStats.cpuMs) / (ROUNDS * Math.max(of.load.seconds, to.load.seconds) * 1000);
    return { ...middle, spread, pinned: CAN_PIN, serversCores };
  } finally {
    // Back to every core, for the parts that follow (logins hash on several threads).
    if (CAN_PIN) await Promise.all([pin(of.server.pid, cores), pin(to.server.pid, cores)]);
  }
}
