/**
 * Login floods and storms against the bounded login line (issue 15):
 *  - a flood: 300 concurrent logins with fresh usernames, from one client and from 300 clients:
 *    the time until every one is answered, the answers by status, and a correct login from
 *    another client right after;
 *  - the two floods of issue 24 (bench/attack-floods.ts): hung-up logins, and one account's
 *    correct password from three clients, with a correct login of another client beside each;
 *  - a storm: correct logins for BENCH_SECONDS from 8 connections that wait out Retry-After after
 *    a 503 (a batch job's workers), and from 8 and 64 that re-send at once (autocannon: a flood),
 *    with API-key requests meanwhile: the server's event-loop delay p99 and the API-key
 *    throughput against the same load without the storm.
 * Standalone: `node --import tsx bench/login-flood.ts`; bench/run.ts can run `loginFlood()` as a part.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import { attackFloods } from './attack-floods';
import { benchUsers, makeKeys, usersYaml } from './make-users';
import { autocannon, killChildren, startServer, type BenchServer } from './processes';
import { ms, pct, report, summary, table } from './report';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PASSWORD = 'bench-password';
const COST = 10;
const FLOOD = 300;
const PART = 'flood';

async function login(url: string, client: string, username: string, password: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/api/security/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
    body: JSON.stringify({ username, password }),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

function byStatus(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} × ${status}`).join(', ');
}

/** 300 concurrent logins with fresh usernames, then a correct login from a client not in the flood. */
async function flood(server: BenchServer, label: string, clientOf: (i: number) => string, username: string, round: number): Promise<void> {
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: FLOOD }, (_, i) => login(server.url, clientOf(i), `fresh-${round}-${i}`, 'guess')));
  const allMs = performance.now() - started;
  const after = await login(server.url, `10.200.0.${round}`, username, PASSWORD);
  report({
    part: PART,
    measure: `${FLOOD} concurrent fresh-username logins (${label}): all answered`,
    figure: ms(allMs),
    target: '< 2 s',
    pass: allMs < 2000 && answers.every((answer) => answer.status !== 500),
    detail: byStatus(answers.map((answer) => answer.status)),
  });
  report({
    part: PART,
    measure: `correct login from another client right after (${label})`,
    figure: String(after.status),
    target: '200',
    pass: after.status === 200,
    detail: `in ${ms(after.ms)}`,
  });
}

/** `connections` loops of correct logins until `seconds` have passed, each waiting out Retry-After after a 503, as a well-behaved client does. */
async function politeLogins(url: string, username: string, connections: number, seconds: number): Promise<{ ok: number; failed: number }> {
  const until = performance.now() + seconds * 1000;
  const counts = { ok: 0, failed: 0 };
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const response = await fetch(`${url}/api/security/token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username, password: PASSWORD }),
        });
        await response.arrayBuffer();
        if (response.status === 200) counts.ok += 1;
        else counts.failed += 1;
        const retryAfter = Number(response.headers.get('retry-after') ?? 0);
        if (retryAfter > 0) await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      }
    }),
  );
  return counts;
}

/**
 * API-key requests alone, then with `connections` connections of correct logins at once: autocannon's,
 * which re-send at once whatever the answer (a flood), or `polite` ones that wait out Retry-After.
 */
async function storm(server: BenchServer, apiKey: string, username: string, connections: number, polite = false, floor?: string): Promise<void> {
  const keys = { url: `${server.url}/guarded`, seconds: SECONDS, connections: 10, headers: { 'X-API-Key': apiKey } };
  await autocannon({ ...keys, seconds: 1 });
  await server.mark();
  const calm = await autocannon(keys);
  const calmStats = await server.stats();
  await server.mark();
  const [during, logins] = await Promise.all([
    autocannon(keys),
    polite ? politeLogins(server.url, username, connections, SECONDS) : autocannon({
      url: `${server.url}/api/security/token`,
      seconds: SECONDS,
      connections,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    }),
  ]);
  const stats = await server.stats();
  const of = floor ? ` (floor: ${floor})` : '';
  report({
    part: PART,
    measure: `event-loop delay p99, storm of ${connections}${polite ? ' polite' : ''} login connections${of}`,
    figure: ms(stats.eldP99Ms),
    // Clients that re-send at once whatever the answer (autocannon) are served ~1,500 503s a
    // second: what that costs is judged against the floors, side by side in the RESULTS (issue 27).
    target: floor || connections > 8 ? 'reported' : '< 20 ms',
    pass: floor || connections > 8 ? undefined : stats.eldP99Ms < 20,
    detail: `max ${ms(stats.eldMaxMs)}; without the storm p99 ${ms(calmStats.eldP99Ms)}; server ${stats.cpuCores.toFixed(2)} cores, RSS ${stats.rssMb.toFixed(0)} MB`,
  });
  report({
    part: PART,
    measure: `API key in a storm of ${connections}${polite ? ' polite' : ''} login connections vs without${of}`,
    figure: pct(during.rps / calm.rps),
    target: 'reported',
    pass: undefined,
    detail: `${Math.round(during.rps)}/s vs ${Math.round(calm.rps)}/s; logins: ${logins.ok} × 200, ${logins.failed} shed (503) or failed, ${(logins.ok / SECONDS).toFixed(1)} logins/s`,
  });
}

export async function loginFlood(): Promise<void> {
  process.stderr.write(`\nLogin flood and storm (cost ${COST}, the plugin's defaults)\n`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ewa-flood-'));
  let server: BenchServer | undefined;
  let floorServer: BenchServer | undefined;
  try {
    const keys = makeKeys(10);
    const usersFile = path.join(dir, 'users.yml');
    writeFileSync(usersFile, usersYaml(10, await bcrypt.hash(PASSWORD, COST), keys));
    const users = benchUsers(keys);
    server = await startServer({ server: 'login-flood', usersFile });
    await login(server.url, '10.200.1.1', users.team.username, PASSWORD); // warm up
    await flood(server, 'one client', () => '10.100.0.1', users.team.username, 1);
    await flood(server, `${FLOOD} clients`, (i) => `10.101.${i >> 8}.${i & 255}`, users.team.username, 2);
    // Issue 24: the hung-up flood and the one-account flood, a correct login of another account beside each.
    await attackFloods(server, { username: users.superuser.username, password: PASSWORD }, { username: users.team.username, password: PASSWORD });
    await storm(server, users.team.apiKey, users.team.username, 8, true);
    await storm(server, users.team.apiKey, users.team.username, 8);
    await storm(server, users.team.apiKey, users.team.username, 64);
    await server.stop();
    // The same storm against the least code that logs in (issue 27): what ours adds to the loop's delay.
    for (const shed of [false, true]) {
      floorServer = await startServer({ server: 'floor-login', usersFile, shed });
      await storm(floorServer, users.team.apiKey, users.team.username, 64, false, shed ? 'Express + raw bcrypt, 1 at once, shedding with 503' : 'Express + raw bcrypt, unbounded');
      await floorServer.stop();
    }
  } finally {
    await floorServer?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const started = performance.now();
  const deadline = setTimeout(() => {
    console.error('login-flood: over 3 minutes, stopping.');
    killChildren();
    process.exit(1);
  }, 3 * 60 * 1000);
  loginFlood().then(
    () => {
      clearTimeout(deadline);
      process.stdout.write(`\n${table()}\n\n${summary(`${os.availableParallelism()} cores, load average ${(os.loadavg()[0] as number).toFixed(2)}, took ${((performance.now() - started) / 1000).toFixed(0)} s`)}\n`);
    },
    (error: unknown) => {
      console.error(error);
      clearTimeout(deadline);
      killChildren();
      process.exitCode = 1;
    },
  );
}
