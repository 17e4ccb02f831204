import { closeSync, openSync, renameSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { UsersFileError, type Problem, type UsersIndex, type WorkspaceAuth } from '../../../lib/index';
import { configFromEnv } from '../../../lib/options/environment';
import { DEFAULT_WATCH_INTERVAL_MS } from '../../../lib/options/parse-options';
import { UsersSource } from '../../../lib/users/users-source';
import { entry, makeApp, recordingLogger, tempDir } from '../../helpers';

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
    // A logger of its own: the app of beforeEach watches the same file and reports its refusal too.
    const logger = recordingLogger();
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

describe('a change goes in force only once two consecutive polls read it the same', () => {
  /** A source whose polls the test makes itself, one by one, as the watcher's timer would. */
  const polledSource = () =>
    new UsersSource({ file, explicit: true, defaultUser: configFromEnv({}).defaultUser, watch: false, watchIntervalMs: DEFAULT_WATCH_INTERVAL_MS, logger });

  it('never loads a save in progress, and loads the finished one at the second poll after the write ends', async () => {
    const source = polledSource();
    const carol = entry('carol', { api_key: '"carol-key-0123456789abcdef"', workspaces: '[x]' });
    const next = alice({ workspaces: '[team]' }) + bob() + carol;
    // Cut before alice's `workspaces:` line: that half parses, with alice a super-user.
    const cut = next.indexOf('  workspaces: [team]');
    const pieces = [next.slice(0, cut), next.slice(cut, cut + 40), next.slice(cut + 40)];
    const before = source.current;
    const descriptor = openSync(file, 'w'); // in place, as `cat > users.yml` over a slow link
    try {
      for (const piece of pieces) {
        writeSync(descriptor, piece);
        await source.poll();
        // Each poll reads a file that grew since the last one: nothing goes in force.
        expect(source.current).toBe(before);
        expect(source.current.findByUsername('alice')?.user.superuser).toBe(false);
      }
    } finally {
      closeSync(descriptor);
    }
    await source.poll(); // the same content as the poll before: in force now
    expect(source.current.findByUsername('carol')?.user.workspaces).toEqual(['x']);
    expect(source.current.findByUsername('alice')?.user.workspaces).toEqual(['team']);
    // Two polls at the default interval: within 1 s of the end of the write, inside the 2 s the contract gives.
    expect(2 * DEFAULT_WATCH_INTERVAL_MS).toBeLessThanOrEqual(1000);
    source.close();
  });

  it('refuses a finished invalid save once, and a half-written one never', async () => {
    const source = polledSource();
    const refusals: Error[] = [];
    source.on('reload-error', (error) => refusals.push(error));
    writeFileSync(file, '- username: alice\n  api_key: [');
    await source.poll();
    writeFileSync(file, alice({ workspace: '[team]' }));
    await source.poll();
    expect(refusals).toEqual([]);
    await source.poll();
    await source.poll();
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.message).toContain('field "workspace": is not a known field');
    expect(source.current.findByUsername('bob')).toBeDefined();
    source.close();
  });

  it('keeps reading once more after a change, so a save the file system cannot tell apart is loaded', async () => {
    const source = polledSource();
    const second = Math.floor(Date.now() / 1000) - 60;
    writeFileSync(file, alice({ email: 'first@example.com' }) + bob());
    utimesSync(file, second, second);
    await source.poll();
    await source.poll();
    expect(source.current.findByUsername('alice')?.user.email).toBe('first@example.com');
    // Written in place (same inode), the same size, the same time: only the content differs.
    writeFileSync(file, alice({ email: 'again@example.com' }) + bob());
    utimesSync(file, second, second);
    await source.poll();
    await source.poll();
    expect(source.current.findByUsername('alice')?.user.email).toBe('again@example.com');
    source.close();
  });
});

describe('warnings at reload', () => {
  it('logs the warnings of each new version and hands them to `reload` listeners', async () => {
    // A logger of its own: the app of beforeEach watches the same file and logs its reloads too.
    const logger = recordingLogger();
    const source = new UsersSource({ file, explicit: true, defaultUser: configFromEnv({}).defaultUser, watch: false, watchIntervalMs: 500, logger });
    expect(source.warnings).toEqual([]);
    const handed = new Promise<readonly Problem[]>((resolve) => source.once('reload', (_users, warnings) => resolve(warnings)));
    writeFileSync(file, alice({ workspaces: '' }) + bob());
    await source.reload();
    const warnings = await handed;
    expect(warnings).toEqual([expect.objectContaining({ where: `${file}: entry 1 (alice), field "workspaces"` })]);
    expect(source.warnings).toBe(warnings);
    expect(logger.lines).toEqual([expect.stringMatching(new RegExp(`^warn: The users file ${file} has 1 warning:\n  - `))]);
    source.close();
  });
});

describe('a hostile save over a live file', () => {
  it('refuses an alias bomb with its report; the server keeps answering and keeps its users', async () => {
    const bomb = 'abcdefgh'.split('').reduce((yaml, level, i, levels) => `${yaml}, &${levels[i + 1] ?? 'z'} [${Array(9).fill(`*${level}`).join(', ')}]`, '[&a [lol, lol, lol, lol, lol, lol, lol, lol, lol]') + ']';
    const refused = nextRefusal(auth);
    saveAtomically(alice({ email: bomb }) + bob());
    expect((await refused).message).toMatch(/entry 1 \(alice\), field "email": uses YAML aliases that expand to more than 1,000,000 values/);
    expect((await me(KEYS.alice)).status).toBe(200);
    expect((await inTeam(KEYS.bob)).status).toBe(200);
  });
});
