// An app's callbacks that throw or reject (onRefusal, event listeners, the logger) never end the
// process (SPEC §4): the routes run in a process of their own with --unhandled-rejections=strict,
// as a production process ends on an unhandled rejection, and must serve on after every request.
import { type Answer, type AuthServerProcess, send, startAuthServer } from '../../auth-server-process';
import { USERS } from '../../helpers';

jest.setTimeout(60_000);

let server: AuthServerProcess;
beforeAll(async () => {
  server = await startAuthServer('hooks');
});
afterAll(() => server?.stop());

it('runs on the Express of this run of the suite', async () => {
  const alive = await request(undefined, { path: '/alive' });
  expect(Number((JSON.parse(alive.body) as { express: string }).express.split('.')[0])).toBe((globalThis as { EXPRESS_MAJOR?: number }).EXPRESS_MAJOR);
});

type Hook = 'throw' | 'reject' | 'throw-after-send';

function request(hook: Hook | undefined, what: { method?: string; path: string; client?: string; headers?: Record<string, string>; body?: object | string }): Promise<Answer> {
  return send(server.port, { client: '10.24.30.1', ...what, headers: { ...(hook && { 'X-Hook': hook }), ...what.headers } });
}

const wrongLogin = (hook: Hook | undefined, client = '10.24.30.1') => request(hook, { path: '/api/security/token', client, body: { username: 'user1', password: 'wrong' } });
const errorLines = (text: string) => server.output().split('\n').filter((line) => line.startsWith('log error:') && line.includes(text));

/**
 * How many error lines with `text` the server printed since there were `before`: its output
 * comes on a pipe, read here beside the sockets, so a line printed before an answer may be read
 * after it. Waits up to 2 s for a first new one, then 200 ms more for any second.
 */
async function newErrorLines(text: string, before: number): Promise<number> {
  const deadline = performance.now() + 2000;
  while (errorLines(text).length === before && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return errorLines(text).length - before;
}

/** The request, then proof the process still serves. */
async function survives(answer: Promise<Answer>): Promise<Answer> {
  const answered = await answer;
  expect(server.alive()).toBe(true);
  expect((await request(undefined, { path: '/alive' })).status).toBe(200);
  return answered;
}

describe.each([
  ['throws', 'throw', 'audit store down (thrown)'],
  ['rejects', 'reject', 'audit store down (rejected)'],
] as const)('an onRefusal that %s', (_how, hook, message) => {
  const refusals: Array<[string, () => Promise<Answer>]> = [
    ['a wrong password (401)', () => wrongLogin(hook, `10.24.31.${hook.length}`)],
    ['a login without its fields (400)', () => request(hook, { path: '/api/security/token', body: { username: 'user1' } })],
    ['an unreadable login body (400, errorHandler)', () => request(hook, { path: '/api/security/token', headers: { 'Content-Type': 'application/json' }, body: '{' })],
    ['no credentials (401, authenticate)', () => request(hook, { path: '/whoami' })],
    ['an unknown API key (401, authenticate)', () => request(hook, { path: '/whoami', headers: { 'X-API-Key': 'not-a-key-0123456789' } })],
    ['a forged token (401, authenticate)', () => request(hook, { path: '/whoami', headers: { Authorization: 'Bearer not.a.token' } })],
    ['a forbidden workspace (403, requireWorkspace)', () => request(hook, { path: '/ws/user2', headers: { 'X-API-Key': USERS.user1.apiKey } })],
    ['a logout without a token (401)', () => request(hook, { path: '/api/security/logout', method: 'POST' })],
    ['a logout with an API key as the token (400)', () => request(hook, { path: '/api/security/logout', method: 'POST', headers: { Authorization: `Bearer ${USERS.user1.apiKey}` } })],
  ];

  it.each(refusals)('gives %s a 500 through the app\'s error handler, logs it once, and the process serves on', async (_what, refused) => {
    const before = errorLines(message).length;
    const answer = await survives(refused());
    expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({ status: 500, body: { app_error: message } });
    expect(await newErrorLines(message, before)).toBe(1);
  });

  it('gives a 429 (too many failed logins) a 500 too', async () => {
    const client = `10.24.32.${hook.length}`;
    // loginRateLimit.limit is 3 in this scenario: the 4th login of the username from this client is refused.
    for (let attempt = 0; attempt < 3; attempt++) expect((await survives(wrongLogin(hook, client))).status).toBe(500);
    const limited = await survives(wrongLogin(hook, client));
    expect(limited.status).toBe(500);
    expect(JSON.parse(limited.body)).toEqual({ app_error: message });
  });
});

it('an onRefusal that throws after answering: the answer stands, the error is logged once, and the process serves on', async () => {
  const before = errorLines('audit store down (after the answer)').length;
  const answer = await survives(wrongLogin('throw-after-send', '10.24.33.1'));
  expect({ status: answer.status, body: JSON.parse(answer.body) }).toEqual({ status: 401, body: { code: 'invalid_credentials' } });
  expect(await newErrorLines('audit store down (after the answer)', before)).toBe(1);
});

it('event listeners that throw or reject, and a logger that throws or rejects, change no answer', async () => {
  const login = await survives(request(undefined, { path: '/api/security/token', client: '10.24.34.1', body: { username: 'user2', password: USERS.user2.password } }));
  expect(login.status).toBe(200);
  const token = (JSON.parse(login.body) as { access_token: string }).access_token;
  expect((await survives(request(undefined, { path: '/whoami', headers: { Authorization: `Bearer ${token}` } }))).status).toBe(200);
  expect((await survives(request(undefined, { path: '/api/security/logout', method: 'POST', headers: { Authorization: `Bearer ${token}` } }))).status).toBe(204);
  // A refusal with the default answer: its `refused` listeners throw and reject too.
  expect((await survives(request(undefined, { path: '/whoami', headers: { Authorization: `Bearer ${token}` } }))).status).toBe(401);
  expect((await survives(wrongLogin(undefined, '10.24.34.2'))).status).toBe(401);
  // Each listener's failure is reported, once, through the (broken) logger.
  expect(errorLines('listener of login threw').length).toBe(1);
  expect(errorLines('listener of login rejected').length).toBe(1);
});

it('an app whose req.user cannot be set: a token checked later (an async revocation list) gets a 500 through the app\'s error handler', async () => {
  const login = await survives(request(undefined, { path: '/api/security/token', client: '10.24.35.1', body: { username: 'user1', password: USERS.user1.password } }));
  const token = (JSON.parse(login.body) as { access_token: string }).access_token;
  const answer = await survives(request(undefined, { path: '/frozen-user', headers: { Authorization: `Bearer ${token}` } }));
  expect(answer.status).toBe(500);
  expect(JSON.parse(answer.body)).toEqual({ app_error: expect.stringContaining('user') });
});

it('no unhandled rejection anywhere: the process is still running, and said nothing of one', () => {
  expect(server.alive()).toBe(true);
  expect(server.output()).not.toMatch(/unhandled|UnhandledPromiseRejection|triggerUncaughtException/i);
});
