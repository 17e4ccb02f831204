/**
 * The floor of a reload's time in force (part 9): the least code that does a reload's work, in a
 * fresh process as the reload's worker is fresh: read the file and parse it with plain js-yaml,
 * no checks, no index. Prints the milliseconds that took.
 * Run: `node --import tsx bench/parse-floor.ts <file>`.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { load } from 'js-yaml';

const started = performance.now();
load(readFileSync(process.argv[2] as string, 'utf8'));
console.log(String(performance.now() - started));
