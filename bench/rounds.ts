/**
 * Throughput comparisons in rounds: each round measures every variant once, back to back, so
 * a ratio taken within a round compares runs seconds apart, on about the same machine. The
 * median round's ratio counts; the lowest and highest are printed beside it. On a 2-core
 * machine shared with other work identical 4 s runs differ by 10-15%, hence rounds rather
 * than one long run per variant.
 */
import { autocannon, type BenchServer, type LoadOptions, type LoadResult } from './processes';
import { pct } from './report';

export const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 3);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

export type Measured = LoadResult & { cpuUsPerRequest: number; cpuCores: number };

/** A load run whose requests must all succeed: a bench that measures 401s measures nothing. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon(options);
  if (result.ok === 0 || result.failed > 0) {
    throw new Error(`${options.method ?? 'GET'} ${options.url}: ${result.failed} failed, ${result.ok} ok`);
  }
  return result;
}

/** A load run with the server's CPU for it: CPU per request shows whether the server or the generator was the limit. */
export async function measured(server: BenchServer, options: LoadOptions): Promise<Measured> {
  await server.mark();
  const result = await load(options);
  const stats = await server.stats();
  return { ...result, cpuCores: stats.cpuCores, cpuUsPerRequest: (stats.cpuCores * 1e6) / result.rps };
}

/**
 * Runs the loads in turn, ROUNDS times over, after a short warm-up of each. With `groups`, a
 * round runs group after group (each group's variants back to back, so the ratios that matter
 * compare runs seconds apart), the groups in alternating order. Each round starts one variant
 * further on within each group, so no variant always runs first or after the same one.
 */
export async function interleaved<K extends string>(
  server: (key: K) => BenchServer,
  loads: Record<K, LoadOptions>,
  groups: K[][] = [Object.keys(loads) as K[]],
): Promise<Array<Record<K, Measured>>> {
  for (const key of groups.flat()) await load({ ...loads[key], seconds: 1 }); // warm up the JIT
  const rounds: Array<Record<K, Measured>> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const results = {} as Record<K, Measured>;
    const ordered = round % 2 === 0 ? groups : [...groups].reverse();
    for (const group of ordered) {
      for (let i = 0; i < group.length; i++) {
        const key = group[(round + i) % group.length] as K;
        results[key] = await measured(server(key), loads[key]);
      }
    }
    rounds.push(results);
  }
  return rounds;
}

export interface Ratio<K extends string> {
  /** The median round's ratio. */
  ratio: number;
  /** That round's results. */
  round: Record<K, Measured>;
  /** The lowest and highest round, e.g. "rounds 91.0-99.2%". */
  spread: string;
}

/** The median round's ratio of `of` to `to`, that round's results, and the range of the ratios. */
export function ratioOf<K extends string>(rounds: Array<Record<K, Measured>>, of: K, to: K): Ratio<K> {
  const ratios = rounds.map((round) => ({ ratio: round[of].rps / round[to].rps, round })).sort((a, b) => a.ratio - b.ratio);
  const middle = ratios[Math.floor(ratios.length / 2)] as { ratio: number; round: Record<K, Measured> };
  const spread = `rounds ${pct((ratios[0] as { ratio: number }).ratio)}-${pct((ratios[ratios.length - 1] as { ratio: number }).ratio)}`;
  return { ...middle, spread };
}

/** The round of median throughput of one variant, for its absolute figures. */
export function medianRun<K extends string>(rounds: Array<Record<K, Measured>>, key: K): Measured {
  return [...rounds].sort((a, b) => a[key].rps - b[key].rps)[Math.floor(rounds.length / 2)]?.[key] as Measured;
}

/**
 * Two servers loaded at the same time, each by its own autocannon, ROUNDS × 2 times: the
 * ratio of their throughputs (`of` to `to`) per round, the median counts. Both meet the same
 * machine at the same moment, so the swings of a shared 2-core machine (±20% from one second
 * to the next, for one server alone) hit both alike; each server has about half the machine,
 * so the ratio is that of their CPU per request.
 */
export async function sideBySide(of: LoadOptions, to: LoadOptions): Promise<{ ratio: number; spread: string }> {
  await Promise.all([load({ ...of, seconds: 1 }), load({ ...to, seconds: 1 })]);
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS * 2; round++) {
    const [ofRun, toRun] = await Promise.all([load(of), load(to)]);
    ratios.push(ofRun.rps / toRun.rps);
  }
  ratios.sort((a, b) => a - b);
  return { ratio: ratios[Math.floor(ratios.length / 2)] as number, spread: `${ratios.length} rounds ${pct(ratios[0] as number)}-${pct(ratios[ratios.length - 1] as number)}` };
}
