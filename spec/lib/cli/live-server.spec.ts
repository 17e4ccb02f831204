import request from 'supertest';
import type { WorkspaceAuth } from '../../../lib';
import { entry, hashes, makeApp } from '../../helpers';
import { cli, usersFileInTempDir } from './run';

// The operator's loop, on a running server: each command's change is in force within 2 seconds.
jest.setTimeout(30_000);

let folder: ReturnType<typeof usersFileInTempDir>;
let app: ReturnType<typeof makeApp>['app'];
let auth: WorkspaceAuth;

beforeEach(() => {
  folder = usersFileInTempDir();
  folder.write(`# Staff. Ask Alice before adding anyone.\n${entry('alice', { workspaces: '[team]' })}`);
  // Polling with not-yet-valid credentials counts as failed logins: the limit is not what this spec is about.
  ({ app, auth } = makeApp({ usersFile: folder.file, watch: true, watchIntervalMs: 50, loginRateLimit: { limit: 10_000 } }));
});

afterEach(() => {
  auth.close();
  folder.remove();
});

const run = async (args: string[], input = '') => {
  const result = await cli([...args, '--file', folder.file, ...(input ? ['--cost', '10'] : [])], { input });
  expect(result).toMatchObject({ status: 0 });
  return result.stdout.trim();
};
const login = async (username: string, password: string) =>
  (await request(app).post('/api/security/token').send({ username, password })).status;
const withKey = async (key: string, path = '/api/me') => (await request(app).get(path).set('X-API-Key', key)).status;

/** Polls until the check holds; fails if it does not within 2 seconds of the command's return. */
async function inForceWithin2s(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the change was not in force within 2 seconds');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('add-user, set-password, rotate-key, disable, enable, set-workspaces and remove-user each take effect within 2 seconds', async () => {
  const key = await run(['add-user', 'carol', '--workspaces', 'team'], 'carol-pw-1\n');
  await inForceWithin2s(async () => (await login('carol', 'carol-pw-1')) === 200);
  expect(await withKey(key)).toBe(200);
  expect(await withKey(key, '/ws/team')).toBe(200);
  expect(await withKey(key, '/ws/alice')).toBe(403);
  expect(folder.read()).toMatch(/^# Staff\. Ask Alice before adding anyone\.\n/);
  expect(await login('alice', hashes.passlib_2b_cost10.password)).toBe(200);

  await run(['set-password', 'carol'], 'carol-pw-2');
  await inForceWithin2s(async () => (await login('carol', 'carol-pw-2')) === 200);
  expect(await login('carol', 'carol-pw-1')).toBe(401);

  const newKey = await run(['rotate-key', 'carol']);
  await inForceWithin2s(async () => (await withKey(newKey)) === 200);
  expect(await withKey(key)).toBe(401);

  await run(['disable', 'carol']);
  await inForceWithin2s(async () => (await withKey(newKey)) === 403);
  expect(await login('carol', 'carol-pw-2')).toBe(403);

  await run(['enable', 'carol']);
  await inForceWithin2s(async () => (await withKey(newKey)) === 200);

  await run(['set-workspaces', 'carol', '']);
  await inForceWithin2s(async () => (await withKey(newKey, '/ws/team')) === 403);
  await run(['set-workspaces', 'carol', '--superuser']);
  await inForceWithin2s(async () => (await withKey(newKey, '/ws/alice')) === 200);

  await run(['remove-user', 'carol']);
  await inForceWithin2s(async () => (await withKey(newKey)) === 401);
  expect(await login('alice', hashes.passlib_2b_cost10.password)).toBe(200);
});

it('a refused edit changes nothing on the running server', async () => {
  const before = folder.bytes();
  const refused = await cli(['add-user', 'carol', '--email', 'not-an-email', '--cost', '10', '--file', folder.file], { input: 'pw' });
  expect(refused.status).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await login('carol', 'pw')).toBe(401);
  expect(await login('alice', hashes.passlib_2b_cost10.password)).toBe(200);
  expect(folder.bytes().equals(before)).toBe(true);
});
