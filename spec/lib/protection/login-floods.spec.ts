// The login line under the two floods of the red-team pass (issue 24), from outside and on
// loopback: the routes run in a process of their own (one password check at a time), the
// attackers in another (bench/flood-attackers.ts, started as bench part 7 starts it), and the
// honest client here. What is checked is the order of turns, which no load on the machine
// changes: a correct login from a client outside the flood waits only for the check under way,
// never behind the flood's logins. How long that takes is a speed figure, measured by
// `npm run bench` (part 7: within 1.5 s).
import { startFlood } from '../../../bench/attack-floods';
import { type Answer, type AuthServerProcess, send, sleep, startAuthServer } from '../../auth-server-process';
import { USERS } from '../../helpers';

jest.setTimeout(60_000);

let server: AuthServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** A correct login of user2 that the server traces (auth-server-child.ts, scenario `floods`). */
const tracedLogin = (port: number, client: string) =>
  send(port, { path: '/api/security/token', client, headers: { 'X-Trace': '1' }, body: { username: 'user2', password: USERS.user2.password } });

/** The honest client's tries, one after the other, until `forMs` have passed. */
async function honestTries(port: number, client: string, forMs: number): Promise<Answer[]> {
  const tries: Answer[] = [];
  const end = performance.now() + forMs;
  while (performance.now() < end) {
    tries.push(await tracedLogin(port, client));
    await sleep(100);
  }
  return tries;
}

/**
 * For each traced login of `client`, in order: how many other logins were checked between its
 * arrival and its own check, or 'not checked'. Read from the server's `arrived` and `checked` lines.
 */
function checksBefore(output: string, client: string): Array<number | 'not checked'> {
  const result: Array<number | 'not checked'> = [];
  let others: number | undefined;
  for (const line of output.split('\n')) {
    if (line === `arrived ${client}`) {
      if (others !== undefined) result.push('not checked');
      others = 0;
    } else if (line.startsWith('checked ') && others !== undefined) {
      if (line.startsWith(`checked ${client} `)) {
        result.push(others);
        others = undefined;
      } else others += 1;
    }
  }
  if (others !== undefined) result.push('not checked');
  return result;
}

// With one check at a time, a login that arrives waits for the check under way and, at most, one
// the line started while its body was read: it is the next turn after that.
const MOST_CHECKS_AHEAD = 2;

/**
 * What each try came to, one word each so that a failure shows them all: 'in turn' (200, checked
 * after at most MOST_CHECKS_AHEAD others), 'shed' (503 with Retry-After, never checked), or what went wrong.
 */
function turns(tries: Answer[], output: string, client: string): string[] {
  const ahead = checksBefore(output, client);
  return tries.map((answer, i) => {
    const checks = ahead[i];
    if (answer.status === 200 && typeof checks === 'number') return checks <= MOST_CHECKS_AHEAD ? 'in turn' : `200 after ${checks} other checks`;
    if (answer.status === 503 && checks === 'not checked' && Number(answer.headers['retry-after']) >= 1) return 'shed';
    return `${answer.status} (${checks ?? 'not traced'})`;
  });
}

/** How many logins of clients starting with `prefix` the server checked in `output` (or a part of it). */
const checksOf = (output: string, prefix: string): number => output.split('\n').filter((line) => line.startsWith(`checked ${prefix}`)).length;

/** The same, after the first traced login of `client` arrived: the tries ran during the flood. */
function floodChecksDuringTries(output: string, client: string, prefix: string): number {
  const first = output.indexOf(`arrived ${client}`);
  return first < 0 ? 0 : checksOf(output.slice(first), prefix);
}

/** Every try in turn or shed, and at least half of them in turn. */
function expectFairTurns(words: string[]): void {
  expect(words.filter((word) => word !== 'in turn' && word !== 'shed')).toEqual([]);
  expect(words.filter((word) => word === 'in turn').length).toBeGreaterThanOrEqual(Math.max(1, words.length / 2));
}

it('1,000 hung-up logins a second from one address: a correct login of another client is the next turn, during the flood and after it', async () => {
  server = await startAuthServer('floods');
  const { port } = server;
  const flood = await startFlood('hung-up', port, 2500, 'user1', USERS.user1.password);
  await sleep(300);
  const during = await honestTries(port, '10.24.9.9', 1800);
  const flooded = await flood.ended;
  // Had the abandoned logins been queued for a check, this one would be checked behind them.
  const after = [await tracedLogin(port, '10.24.9.8')];
  await sleep(500); // time for any check still owed to the flood
  const output = server.output();
  const afterAnswered = output.indexOf('checked 10.24.9.8 user2');

  expect(server.alive()).toBe(true);
  expect(flooded).toMatch(/"sent":\d{3,}/);
  // The flood's logins reach the line while the tries run (some are checked before their client goes).
  expect(floodChecksDuringTries(output, '10.24.9.9', '10.24.1.1 ')).toBeGreaterThan(0);
  expectFairTurns(turns(during, output, '10.24.9.9'));
  expect(turns(after, output, '10.24.9.8')).toEqual(['in turn']);
  // Once the flood's clients are gone, none of their logins is checked: they left the line.
  expect(afterAnswered).toBeGreaterThan(0);
  expect(checksOf(output.slice(afterAnswered), '10.24.1.1 ')).toBe(0);
});

it("three clients flooding with one account's correct password, 20 in flight each: a correct login of a fourth client is the next turn", async () => {
  server = await startAuthServer('floods');
  const { port } = server;
  const flood = await startFlood('one-account', port, 3000, 'user1', USERS.user1.password);
  await sleep(500);
  const during = await honestTries(port, '10.24.9.9', 2000);
  const flooded = JSON.parse((await flood.ended).split('\n').filter(Boolean).pop() ?? '{}') as Record<string, number>;
  await sleep(200);

  expect(server.alive()).toBe(true);
  // The flood itself is served within the account's share: its correct logins get in, the rest are shed.
  expect(Object.keys(flooded).sort()).toEqual(['200', '503']);
  expect(floodChecksDuringTries(server.output(), '10.24.9.9', '10.24.2.')).toBeGreaterThan(0);
  expectFairTurns(turns(during, server.output(), '10.24.9.9'));
});
