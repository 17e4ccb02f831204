/**
 * Part 1 of `npm run bench` (issue 16): the cost of auth per request, beside the floors and the
 * peers. Eight servers, each in its own process, the same trivial handler behind:
 *   no auth | the bare API-key floor | the API-key floor | ours, API key | passport-headerapikey
 *           | the bearer floor       | ours, bearer      | express-jwt
 * The floors are the least code that does our work (bench/servers/floor-*.ts; the bare one,
 * as issue 16 measured it, does less): they say how much of a gap is the work itself and how
 * much is the way it is done.
 *
 * A round runs two groups, each with a no-auth run of its own: no auth and the four API-key
 * variants, then no auth and the three bearer variants (the other way round every other
 * round). Every ratio is taken within a group, between runs at most ~13 s apart.
 * Then the bare floor and ours against no auth side by side, both loaded at the same time: this
 * machine's speed swings from one second to the next, and only runs at the same moment meet the same one.
 */
import type { BenchUsers } from './make-users';
import { startServer, type BenchServer, type LoadOptions, type ServerName } from './processes';
import { median, ms, pct, report } from './report';
import { interleaved, medianRun, ratioOf, ROUND_SECONDS, sideBySide, type Measured } from './rounds';

const CONNECTIONS = 10;

const VARIANTS = {
  noAuth: { server: 'no-auth', label: 'no auth', credential: 'none' },
  noAuthBeforeBearer: { server: 'no-auth', label: 'no auth', credential: 'none' },
  floorApiKeyBare: { server: 'floor-api-key-bare', label: 'bare API-key floor (no workspace checks)', credential: 'apiKey' },
  floorApiKey: { server: 'floor-api-key', label: 'API-key floor', credential: 'apiKey' },
  oursApiKey: { server: 'ours', label: 'ours, API key', credential: 'apiKey' },
  passportHeaderApiKey: { server: 'passport-headerapikey', label: 'passport-headerapikey', credential: 'apiKey' },
  floorBearer: { server: 'floor-bearer', label: 'bearer floor', credential: 'bearer' },
  oursBearer: { server: 'ours', label: 'ours, bearer token', credential: 'bearer' },
  expressJwt: { server: 'express-jwt', label: 'express-jwt (HS256)', credential: 'bearer' },
} as const satisfies Record<string, { server: ServerName; label: string; credential: 'none' | 'apiKey' | 'bearer' }>;

type Variant = keyof typeof VARIANTS;

const cpu = (run: Measured) => `${run.cpuUsPerRequest.toFixed(0)} µs CPU/req, ${run.cpuCores.toFixed(2)} cores`;

export async function perRequestOverhead(usersFile: string, users: BenchUsers, tokenFrom: (server: BenchServer) => Promise<string>): Promise<BenchServer[]> {
  const names = Object.keys(VARIANTS) as Variant[];
  // One process per server; the two no-auth variants are the same server, measured once per group.
  const processes = names.filter((name) => name !== 'noAuthBeforeBearer');
  const started = await Promise.all(processes.map((name) => startServer({ server: VARIANTS[name].server, usersFile })));
  const servers = Object.fromEntries(processes.map((name, i) => [name, started[i] as BenchServer])) as Record<Variant, BenchServer>;
  servers.noAuthBeforeBearer = servers.noAuth;
  // A token of ours, from a real login: the peers and the floor verify it with the same secret.
  const token = await tokenFrom(servers.oursBearer);
  const headers = { none: {}, apiKey: { 'X-API-Key': users.team.apiKey }, bearer: { Authorization: `Bearer ${token}` } };
  const loads = Object.fromEntries(
    names.map((name) => [
      name,
      { url: `${servers[name].url}/guarded`, seconds: ROUND_SECONDS, connections: CONNECTIONS, headers: headers[VARIANTS[name].credential] } satisfies LoadOptions,
    ]),
  ) as Record<Variant, LoadOptions>;

  const rounds = await interleaved((name) => servers[name], loads, [
    ['noAuth', 'floorApiKeyBare', 'floorApiKey', 'oursApiKey', 'passportHeaderApiKey'],
    ['noAuthBeforeBearer', 'floorBearer', 'oursBearer', 'expressJwt'],
  ]);

  const baseline = medianRun(rounds, 'noAuth');
  report({ part: '1', measure: 'no auth (baseline)', figure: '100%', target: '-', pass: undefined, detail: `median run ${Math.round(baseline.rps)}/s, server ${cpu(baseline)}` });
  const versus = (of: Variant, to: Variant, target?: { text: string; pass: (ratio: number) => boolean }) => {
    const { ratio, round, spread } = ratioOf(rounds, of, to);
    const extraUs = round[of].cpuUsPerRequest - round[to].cpuUsPerRequest;
    // What the throughput ratio would be with a core to itself: the server's CPU per request, `to` over `of`.
    const cpuRatio = median(rounds.map((each) => each[to].cpuUsPerRequest / each[of].cpuUsPerRequest));
    report({
      part: '1',
      measure: `${VARIANTS[of].label} vs ${VARIANTS[to].label}`,
      figure: pct(ratio),
      target: target?.text ?? 'reported',
      pass: target?.pass(ratio),
      detail:
        `${spread}; ${Math.round(round[of].rps)}/s vs ${Math.round(round[to].rps)}/s; p99 ${ms(round[of].p99Ms)} vs ${ms(round[to].p99Ms)}; ` +
        `server ${cpu(round[of])} (${extraUs >= 0 ? '+' : '-'}${Math.abs(extraUs).toFixed(0)} µs); by CPU per request ${pct(cpuRatio)}`,
    });
  };
  versus('floorApiKeyBare', 'noAuth');
  versus('floorApiKey', 'noAuth');
  versus('oursApiKey', 'noAuth', { text: '>= 95%', pass: (ratio) => ratio >= 0.95 });
  versus('passportHeaderApiKey', 'noAuth');
  // "Ahead of the peer": ours faster than the peer within a round, in the median round.
  versus('oursApiKey', 'passportHeaderApiKey', { text: '> 100%', pass: (ratio) => ratio > 1 });
  versus('oursApiKey', 'floorApiKey');
  versus('floorBearer', 'noAuthBeforeBearer');
  versus('oursBearer', 'noAuthBeforeBearer', { text: '>= 93%', pass: (ratio) => ratio >= 0.93 });
  versus('expressJwt', 'noAuthBeforeBearer');
  versus('oursBearer', 'expressJwt', { text: '> 100%', pass: (ratio) => ratio > 1 });
  versus('oursBearer', 'floorBearer');

  // The same comparisons with both servers loaded at once (rounds.ts, sideBySide).
  for (const of of ['floorApiKeyBare', 'oursApiKey', 'oursBearer'] as const) {
    const { ratio, spread } = await sideBySide(loads[of], loads.noAuth);
    report({ part: '1', measure: `${VARIANTS[of].label} vs no auth, side by side`, figure: pct(ratio), target: 'reported', pass: undefined, detail: `${spread}; both loaded at the same time` });
  }
  return started;
}
