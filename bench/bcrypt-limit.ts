/**
 * The raw limit of logins on this machine: `concurrency` loops of bcrypt.compare, nothing
 * else, in a process of its own (as the server is). Logins/s of the server are compared
 * with this. Usage: bcrypt-limit.ts <concurrency> <seconds> <cost>; prints JSON.
 */
import bcrypt from 'bcrypt';
import { performance } from 'node:perf_hooks';

async function main(): Promise<void> {
  const [concurrency, seconds, cost] = process.argv.slice(2).map(Number);
  if (!concurrency || !seconds || !cost) throw new Error('usage: bcrypt-limit.ts <concurrency> <seconds> <cost>');
  const hash = await bcrypt.hash('bench-password', cost);
  // A short warm-up, as the server has had before it is measured.
  await bcrypt.compare('bench-password', hash);
  let compares = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      await bcrypt.compare('bench-password', hash);
      compares += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ comparesPerSecond: compares / elapsed, concurrency, cost })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
