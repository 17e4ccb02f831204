import { renameSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { UsersFileError, workspaceAuth, type UsersIndex, type WorkspaceAuth } from '../../lib';
import { entry, makeApp, recordingLogger, tempDir, SECRET } from '../helpers';

// Tests wait for reload events, never fixed sleeps; under a loaded CI machine an event can take seconds.
jest.setTimeout(30_000);

const KEYS = { alice: '"alice-key-0123456789abcdef"', bob: '"bob-key-0123456789abcdef"' };
const alice = (fields: Record<string, string> = {}) => entry('alice', { api_key: KEYS.alice, workspaces: '[]', ...fields });
const bob = (fields: Record<string, string> = {}) => entry('bob', { api_key: KEYS.bob, workspaces: '[team]', ...fields });
const unquote = (key: string) => key.replace(/"/g, '');

/** Resolves with the next version put in force. */
function nextReload(auth: WorkspaceAuth): Promise<UsersIndex> {
  return new Promise((resolve) => auth.once('reload', resolve));
}

/** Resolves with the next refusal of a changed file. */
function nextRefusal(auth: WorkspaceAuth): Promise<Error> {
  return new Promise((resolve) => auth.once('reload-error', resolve));
}

/** Waits until a condition holds, checking every 20 ms; fails after 20 s. */
async function eventually(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let folder: ReturnType<typeof tempDir>;
let file: string;
let logger: ReturnType<typeof recordingLogger>;
let app: ReturnType<typeof makeApp>['app'];
let auth: WorkspaceAuth;

beforeEach(() => {
  folder = tempDir();
  file = path.join(folder.dir, 'users.yml');
  writeFileSync(file, alice() + bob());
  logger = recordingLogger();
  ({ app, auth } = makeApp({ usersFile: file, watch: true, watchIntervalMs: 50, logger }));
});

afterEach(() => {
  auth.close();
  folder.remove();
});

const me = (key: string) => request(app).get('/api/me').set('X-API-Key', unquote(key));
const inTeam = (key: string) => request(app).get('/ws/team').set('X-API-Key', unquote(key));

/** Writes the file as editors that save atomically do: a temporary file renamed over the original. */
function saveAtomically(content: string): void {
  const temporary = `${file}.tmp-${Date.now()}`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

describe('watching the users file', () => {
  it('applies a change written in place', async () => {
    expect((await inTeam(KEYS.alice)).status).toBe(403);
    const reloaded = nextReload(auth);
    writeFileSync(file, alice({ workspaces: '[team]' }) + bob());
    await reloaded;
    expect((await inTeam(KEYS.alice)).status).toBe(200);
    expect(logger.lines).toContain(`info: Reloaded 2 users from ${file}.`);
  });

  it('applies a change saved atomically (a new inode renamed over the file)', async () => {
    const reloaded = nextReload(auth);
    saveAtomically(alice({ workspaces: '[team]' }) + bob());
    await reloaded;
    expect((await inTeam(KEYS.alice)).status).toBe(200);
    // and keeps watching the new file
    const again = nextReload(auth);
    saveAtomically(alice() + bob());
    await again;
    expect((await inTeam(KEYS.alice)).status).toBe(403);
  });

  it('refuses an invalid file with the full report, and keeps the last good users', async () => {
    const refused = nextRefusal(auth);
    saveAtomically(alice({ workspace: '[team]' }) + bob({ hashed_password: 'plaintext' }));
    const error = await refused;
    expect(error).toBeInstanceOf(UsersFileError);
    expect((error as UsersFileError).problems).toHaveLength(2);
    const logged = logger.lines.find((line) => line.startsWith('error: Refused the changed users file'));
    expect(logged).toContain('field "workspace": is not a known field');
    expect(logged).toContain('field "hashed_password"');
    expect((await me(KEYS.alice)).status).toBe(200);
    expect((await me(KEYS.alice)).body.superuser).toBe(false);
  });

  it('keeps the last good users when the file is deleted, and never brings back the default user', async () => {
    const refused = nextRefusal(auth);
    unlinkSync(file);
    expect((await refused).message).toMatch(/was deleted or moved\. The last good users stay in force/);
    expect((await me(KEYS.alice)).status).toBe(200);
    expect((await request(app).get('/api/me').set('X-API-Key', 'argilla.apikey')).status).toBe(401);
    const back = nextReload(auth);
    writeFileSync(file, bob());
    await back;
    expect((await me(KEYS.alice)).status).toBe(401);
  });

  it('takes access away at once from a removed user: API key and issued tokens', async () => {
    const login = await request(app).post('/api/security/token').send({ username: 'bob', password: 'user1-pw' });
    expect(login.status).toBe(200);
    const token = login.body.access_token as string;
    const reloaded = nextReload(auth);
    writeFileSync(file, alice());
    await reloaded;
    expect((await me(KEYS.bob)).status).toBe(401);
    const withToken = await request(app).get('/api/me').set('Authorization', `Bearer ${token}`);
    expect(withToken.status).toBe(401);
    expect(withToken.body.code).toBe('invalid_token');
  });

  it('takes access away at once from a newly disabled user: API key, tokens and login', async () => {
    const token = (await request(app).post('/api/security/token').send({ username: 'bob', password: 'user1-pw' })).body.access_token as string;
    const reloaded = nextReload(auth);
    writeFileSync(file, alice() + bob({ disabled: 'true' }));
    await reloaded;
    expect((await me(KEYS.bob)).status).toBe(403);
    expect((await request(app).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(403);
    expect((await request(app).post('/api/security/token').send({ username: 'bob', password: 'user1-pw' })).status).toBe(403);
  });

  it('rotates API keys at once: the new one works, the old one stops', async () => {
    const reloaded = nextReload(auth);
    writeFileSync(file, alice({ api_key: '"alice-rotated-0123456789abcdef"' }) + bob());
    await reloaded;
    expect((await me('alice-rotated-0123456789abcdef')).status).toBe(200);
    expect((await me(KEYS.alice)).status).toBe(401);
  });

  it('serves every request of a burst running across several reloads', async () => {
    const statuses: number[] = [];
    let reloads = 0;
    let writing = true;
    const deadline = Date.now() + 60_000; // bounded, even if a reload never came
    const load = (async () => {
      while (writing && Date.now() < deadline) {
        const batch = await Promise.all(Array.from({ length: 10 }, () => inTeam(KEYS.bob)));
        statuses.push(...batch.map((response) => response.status));
      }
    })();
    try {
      for (let version = 0; version < 5; version++) {
        const reloaded = nextReload(auth);
        // Each version differs (a new email), so every save is a real change.
        saveAtomically(alice({ email: `alice${version}@example.com` }) + bob());
        await reloaded;
        reloads += 1;
      }
    } finally {
      writing = false;
      await load;
    }
    expect(reloads).toBe(5);
    expect(statuses.length).toBeGreaterThanOrEqual(50);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  });

  it('loads a save that the file system cannot tell from the version just read (same inode, size and time)', async () => {
    const second = Math.floor(Date.now() / 1000) - 60;
    const first = nextReload(auth);
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, alice({ email: 'first@example.com' }) + bob());
    utimesSync(temporary, second, second);
    renameSync(temporary, file);
    // Right after the first version is read, before the next poll: what a second save within
    // the same kernel tick looks like. Only the content differs.
    auth.once('reload', () => {
      writeFileSync(file, alice({ email: 'again@example.com' }) + bob());
      utimesSync(file, second, second);
    });
    expect((await first).findByUsername('alice')?.user.email).toBe('first@example.com');
    await eventually(() => auth.users().findByUsername('alice')?.user.email === 'again@example.com');
  });

  it('reports a refused file once, not at every poll', async () => {
    const refused = nextRefusal(auth);
    saveAtomically(alice({ workspace: '[team]' }) + bob());
    await refused;
    const before = logger.lines.filter((line) => line.startsWith('error:')).length;
    await new Promise((resolve) => setTimeout(resolve, 300)); // six polls
    expect(logger.lines.filter((line) => line.startsWith('error:')).length).toBe(before);
    expect(before).toBe(1);
  });

  it('stops watching after close()', async () => {
    auth.close();
    writeFileSync(file, alice({ workspaces: '[team]' }) + bob());
    // A few watch intervals (50 ms) with no reload: nothing to wait for, as nothing may come.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await inTeam(KEYS.alice)).status).toBe(403);
  });
});

describe('reload()', () => {
  it('reads the file at once and resolves with the new users', async () => {
    const quiet = makeApp({ usersFile: file, watch: false });
    writeFileSync(file, alice());
    const users = await quiet.auth.reload();
    expect(users.size).toBe(1);
    expect(quiet.auth.users()).toBe(users);
    quiet.auth.close();
  });

  it('rejects an invalid file with every problem and keeps the users', async () => {
    const quiet = makeApp({ usersFile: file, watch: false });
    writeFileSync(file, '- username: Alice\n');
    await expect(quiet.auth.reload()).rejects.toThrow(/has 3 problems/);
    expect(quiet.auth.users().size).toBe(2);
    quiet.auth.close();
  });

  it('rejects again for the same invalid file, reported once', async () => {
    const quiet = makeApp({ usersFile: file, watch: false, logger });
    writeFileSync(file, '- username: Alice\n');
    await expect(quiet.auth.reload()).rejects.toThrow(/has 3 problems/);
    await expect(quiet.auth.reload()).rejects.toThrow(/has 3 problems/);
    expect(logger.lines.filter((line) => line.startsWith('error: Refused'))).toHaveLength(1);
    quiet.auth.close();
  });

  it('reads once more for calls made during a read, so the last save wins', async () => {
    const quiet = makeApp({ usersFile: file, watch: false });
    writeFileSync(file, alice());
    const first = quiet.auth.reload();
    writeFileSync(file, alice() + bob({ email: 'bob@example.com' }));
    const second = quiet.auth.reload();
    await first;
    expect((await second).findByUsername('bob')?.user.email).toBe('bob@example.com');
    quiet.auth.close();
  });
});

describe('start-up', () => {
  it('refuses a users file named explicitly that does not exist', () => {
    expect(() => workspaceAuth({ env: { ARGILLA_LOCAL_AUTH_USERS_DB_FILE: path.join(folder.dir, 'typo.yml') }, watch: false, logger, secretKey: SECRET })).toThrow(
      /typo\.yml has 1 problem:\n.*does not exist\. Fix the path in ARGILLA_LOCAL_AUTH_USERS_DB_FILE/,
    );
  });

  it('refuses an invalid users file with every problem', () => {
    writeFileSync(file, alice({ workspace: '[x]' }) + bob({ email: 'nope' }));
    expect(() => makeApp({ usersFile: file })).toThrow(/has 2 problems/);
  });

  it('has the default user, with a warning, only when the implicit .users.yml is missing; then a new file replaces it', async () => {
    const started = makeApp({ usersFile: undefined, cwd: folder.dir, watch: true, watchIntervalMs: 50, logger });
    expect(started.auth.users().knownWorkspaces).toEqual(['argilla']);
    expect(logger.lines).toContain(
      `warn: No users file at ${path.join(folder.dir, '.users.yml')}: the default super-user "argilla" is in force with the documented password 1234 and API key argilla.apikey. Change them, or create a users file.`,
    );
    const token = await request(started.app).post('/api/security/token').send({ username: 'argilla', password: '1234' });
    expect(token.status).toBe(200);
    expect((await request(started.app).get('/api/me').set('X-API-Key', 'argilla.apikey')).body.superuser).toBe(true);
    const reloaded = nextReload(started.auth);
    writeFileSync(path.join(folder.dir, '.users.yml'), alice());
    await reloaded;
    expect((await request(started.app).get('/api/me').set('X-API-Key', 'argilla.apikey')).status).toBe(401);
    started.auth.close();
  });

  it('has the rubrix default user in the RUBRIX flavour', async () => {
    const started = makeApp({ usersFile: undefined, cwd: folder.dir, env: { RUBRIX_LOCAL_AUTH_DEFAULT_APIKEY: 'rubrix-new-key' } });
    const response = await request(started.app).get('/api/me').set('X-Rubrix-Api-Key', 'rubrix-new-key');
    expect(response.body.username).toBe('rubrix');
    started.auth.close();
  });

  it('warns that tokens are signed with a random key when no secret is set', () => {
    const started = makeApp({ secretKey: undefined, logger });
    expect(logger.lines.some((line) => line.startsWith('warn: ARGILLA_LOCAL_AUTH_SECRET_KEY is not set'))).toBe(true);
    started.auth.close();
  });
});
