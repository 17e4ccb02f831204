import { performance } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import { dummyHash } from './passwords';

// Per bcrypt cost, once per process: the machine, not the plugin instance, sets the time.
const measured = new Map<number, number>();
const measuring = new Set<number>();

// Until a check has been timed: cost 10 takes 50-130 ms on the 2-core machines this was measured
// on, and each step of cost doubles it.
const GUESS_MS_AT_COST_10 = 100;

function measure(cost: number): void {
  if (measuring.has(cost)) return;
  measuring.add(cost);
  // Also makes the dummy hash now, so the first login of an unknown user does not pay for it.
  dummyHash(cost)
    .then(async (hash) => {
      const started = performance.now();
      await bcrypt.compare('calibration', hash);
      measured.set(cost, performance.now() - started);
    })
    .catch(() => measuring.delete(cost));
}

/**
 * How long one bcrypt check at this cost takes here, in milliseconds: timed once (in the
 * background, started by the first call) or, until then, derived from another cost timed here,
 * or a guess.
 */
export function hashMsAt(cost: number): number {
  const exact = measured.get(cost);
  if (exact !== undefined) return exact;
  measure(cost);
  const [otherCost, otherMs] = measured.entries().next().value ?? [10, GUESS_MS_AT_COST_10];
  return otherMs * 2 ** (cost - otherCost);
}
