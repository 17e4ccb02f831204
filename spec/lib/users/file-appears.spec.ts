import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { REFUSALS, type WorkspaceAuth } from '../../../lib/index';
import { configFromEnv } from '../../../lib/options/environment';
import { UsersSource } from '../../../lib/users/users-source';
import { entry, makeApp, recordingLogger, tempDir } from '../../helpers';

// SPEC §2: a users file that exists replaces the default user entirely, also when it appears while
// the instance runs; from that moment the default user is never in force again, even while the
// file cannot be read or is invalid (then no one gets in: 503 users_unavailable).
jest.setTimeout(30_000);

const ALICE_KEY = 'alice-key-0123456789abcdef';
const alice = (fields: Record<string, string> = {}) => entry('alice', { api_key: `"${ALICE_KEY}"`, workspaces: '[]', ...fields });

let folder: ReturnType<typeof tempDir>;
let file: string;
let logger: ReturnType<typeof recordingLogger>;
let app: ReturnType<typeof makeApp>['app'];
let auth: WorkspaceAuth;

beforeEach(() => {
  folder = tempDir();
  file = path.join(folder.dir, '.users.yml');
  logger = recordingLogger();
  ({ app, auth } = makeApp({ usersFile: undefined, cwd: folder.dir, watch: true, watchIntervalMs: 50, logger }));
});

afterEach(() => {
  auth.close();
  folder.remove();
});

const defaultKey = () => request(app).get('/api/me').set('X-API-Key', 'argilla.apikey');
const defaultLogin = () => request(app).post('/api/security/token').send({ username: 'argilla', password: '1234' });

/** Every way in answers 503 users_unavailable, with Retry-After and the message that says where to look. */
async function expectNoOneGetsIn(): Promise<void> {
  const answers = [
    await defaultKey(),
    await defaultLogin(),
    await request(app).get('/ws').set('X-API-Key', ALICE_KEY),
    await request(app).get('/whoami').set('Authorization', 'Bearer not-a-token'),
    await request(app).post('/api/security/logout').set('Authorization', 'Bearer not-a-token'),
  ];
  for (const answer of answers) {
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 503, code: 'users_unavailable' });
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.body.message).toBe(REFUSALS.users_unavailable.message);
  }
}

describe('a users file that appears ends the default user', () => {
  it('for good, while the file is invalid: no one gets in, the refusal is logged, status() says so; the fixed file then loads', async () => {
    expect((await defaultKey()).status).toBe(200);
    expect(auth.status()).toMatchObject({ users: 1, defaultUserInForce: true });
    const refused = new Promise<Error>((resolve) => auth.once('reload-error', resolve));
    writeFileSync(file, alice({ workspace: '[team]' })); // the typo of issue 24: `workspace:`
    expect((await refused).message).toMatch(/field "workspace": is not a known field/);
    await expectNoOneGetsIn();
    expect(auth.status()).toMatchObject({ users: 0, source: file, defaultUserInForce: false });
    expect(auth.status().lastRefusedReload?.report).toMatch(/is not a known field/);
    expect(logger.lines).toContain(`warn: A users file appeared at ${file}: the default user is no longer in force, and no one gets in until the file loads.`);
    expect(logger.lines.some((line) => line.startsWith('error: Refused the changed users file; no one gets in until it loads.\n') && line.includes('"workspace"'))).toBe(true);

    const reloaded = new Promise((resolve) => auth.once('reload', resolve));
    writeFileSync(file, alice());
    await reloaded;
    expect((await request(app).get('/api/me').set('X-API-Key', ALICE_KEY)).status).toBe(200);
    expect((await defaultKey()).status).toBe(401);
    expect((await defaultLogin()).status).toBe(401);
    expect(auth.status()).toMatchObject({ users: 1, source: file, defaultUserInForce: false, lastRefusedReload: null });
  });

  it('and the default user does not come back when the file goes away again', async () => {
    const refused = new Promise<Error>((resolve) => auth.once('reload-error', resolve));
    writeFileSync(file, 'not: [a list');
    await refused;
    const deleted = new Promise<Error>((resolve) => auth.once('reload-error', resolve));
    unlinkSync(file);
    expect((await deleted).message).toMatch(/was deleted or moved\. No one gets in until a valid users file is back\./);
    await expectNoOneGetsIn();
  });

  it('when anything but a file appears at the path (a folder): no one gets in', async () => {
    const refused = new Promise<Error>((resolve) => auth.once('reload-error', resolve));
    mkdirSync(file);
    expect((await refused).message).toMatch(/is a directory/);
    await expectNoOneGetsIn();
  });
});

describe('the moment a file exists, before it is read twice', () => {
  const defaultUser = configFromEnv({}).defaultUser;

  it('ends the default user at the first poll that sees it, though the change loads only at the next', async () => {
    const source = new UsersSource({ file, explicit: false, defaultUser, watch: false, watchIntervalMs: 500 });
    await source.poll();
    expect(source.usingDefaultUser).toBe(true);
    // A file still being written: half an entry, which must not leave argilla/1234 working meanwhile.
    writeFileSync(file, '- username: alice\n');
    await source.poll();
    expect(source.usingDefaultUser).toBe(false);
    expect(source.current.unavailable).toBe(true);
    expect(source.current.findByApiKey('argilla.apikey')).toBeUndefined();
    writeFileSync(file, alice());
    await source.poll(); // a change: read once
    await source.poll(); // read the same again: in force
    expect(source.current.unavailable).toBe(false);
    expect(source.current.findByApiKey(ALICE_KEY)?.user.username).toBe('alice');
    source.close();
  });

  it('ends it at a reload() that finds the file, and rejects while it is invalid', async () => {
    const source = new UsersSource({ file, explicit: false, defaultUser, watch: false, watchIntervalMs: 500 });
    writeFileSync(file, alice({ hashed_password: 'plaintext' }));
    await expect(source.reload()).rejects.toThrow(/not a hash: it looks like a plaintext password/);
    expect(source.current.unavailable).toBe(true);
    expect(source.usingDefaultUser).toBe(false);
    source.close();
  });

  it('keeps the default user while nothing is at the path', async () => {
    const source = new UsersSource({ file, explicit: false, defaultUser, watch: false, watchIntervalMs: 500 });
    await source.poll();
    await expect(source.reload()).resolves.toBe(source.current);
    expect(source.usingDefaultUser).toBe(true);
    expect(source.current.findByApiKey('argilla.apikey')?.user.username).toBe('argilla');
    source.close();
  });
});
