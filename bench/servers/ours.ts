/**
 * Ours, as the README shows it: `app.use(auth)` (the login and `me` routes), then the trivial
 * handler behind `auth.authenticate, auth.requireWorkspace()`. Part 1 starts it once for API
 * keys and once for bearer tokens; the other parts use it alone. It uses the compiled library,
 * as an app installing the package would (`npm run bench` builds it first).
 *
 * Environment: BENCH_USERS_FILE (required), BENCH_WATCH=1 to watch the file,
 * BENCH_MAX_HASHES to pass the maxConcurrentHashes option (part 4: unbounded vs the default),
 * BENCH_LIB to load another build of the library than dist/ (a before/after: the dist/ of an
 * older commit, built with `npx tsc -p tsconfig.build.json --outDir <dir>`).
 * IPC out, besides the harness's: {type:'reload'} with the time, for the reload phase.
 */
import { performance } from 'node:perf_hooks';
import express from 'express';
import { hello, required, send, serve, SECRET_KEY } from './harness';

// biome-ignore lint/style/noCommonJs: required, not imported, so `npm run typecheck` does not depend on dist/ existing.
const { workspaceAuth } = require(process.env.BENCH_LIB ?? '../../dist') as typeof import('../../lib');

const usersFile = required('BENCH_USERS_FILE');
const quiet = { info: () => undefined, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

// Time to load, validate and index the users file: the part of start-up the file's size drives.
const started = performance.now();
const auth = workspaceAuth({
  usersFile,
  env: {},
  secretKey: SECRET_KEY,
  watch: process.env.BENCH_WATCH === '1',
  logger: quiet,
  // The failed-login limits would turn the login storm into 429s, and the login line's shares per
  // client and per account (autocannon is one client logging in one account) into 503s: not what
  // parts 3-5 measure (bench/login-flood.ts does).
  loginRateLimit: { limit: 1_000_000, clientLimit: 1_000_000 },
  loginQueue: { clientShare: 1, accountShare: 1 },
  ...(process.env.BENCH_MAX_HASHES ? { maxConcurrentHashes: Number(process.env.BENCH_MAX_HASHES) } : {}),
});
const loadMs = performance.now() - started;

auth.on('reload', (users) => send({ type: 'reload', at: performance.timeOrigin + performance.now(), size: users.size }));

const app = express();
app.use(auth);
app.get('/guarded', auth.authenticate, auth.requireWorkspace(), hello);

serve(app, { loadMs, users: auth.users().size }, () => auth.close());
