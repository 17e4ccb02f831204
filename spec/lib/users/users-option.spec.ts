// The `users` option: the users file's entries held in memory (tests, apps that keep users
// elsewhere), checked exactly as the file is, never read from disk, reloaded or watched.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { ConfigError, UsersFileError, workspaceAuth, type UsersFileEntry, type WorkspaceAuth, type WorkspaceAuthOptions } from '../../../lib';
import { parseYaml } from '../../../lib/users/yaml';
import { entry, hashes, recordingLogger, SECRET, tempDir } from '../../helpers';

const HASH = hashes.passlib_2b_cost10.hash;
const JANE: UsersFileEntry = { username: 'jane', hashed_password: HASH, api_key: 'jane-api-key-0123456789abcdef', workspaces: ['reports'] };
const SAM: UsersFileEntry = { username: 'sam', hashed_password: HASH, api_key: 'sam-api-key-0123456789abcdef', full_name: 'Sam', workspaces: [] };

let folder: ReturnType<typeof tempDir>;
let logger: ReturnType<typeof recordingLogger>;
const built: WorkspaceAuth[] = [];

beforeEach(() => {
  folder = tempDir();
  logger = recordingLogger();
});
afterEach(() => {
  for (const auth of built.splice(0)) auth.close();
  folder.remove();
});

function build(options: WorkspaceAuthOptions): WorkspaceAuth {
  const auth = workspaceAuth({ env: {}, cwd: folder.dir, secretKey: SECRET, logger, ...options });
  built.push(auth);
  return auth;
}

function appOf(auth: WorkspaceAuth) {
  const app = express();
  app.use(auth);
  app.get('/ws', auth.authenticate, auth.requireWorkspace(), (req, res) => {
    res.json({ user: auth.userOf(req)?.username, workspaces: req.workspaces });
  });
  return app;
}

/** The UsersFileError thrown for these users (fails the test if none is thrown). */
function refusalOf(build: () => unknown): UsersFileError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(UsersFileError);
    return error as UsersFileError;
  }
  throw new Error('nothing was thrown');
}

describe('users held in memory', () => {
  it('log in and authenticate as from a file, and say where they come from', async () => {
    const auth = build({ users: [JANE, SAM] });
    const app = appOf(auth);
    const byKey = await request(app).get('/ws').set('X-API-Key', JANE.api_key);
    expect(byKey.body).toEqual({ user: 'jane', workspaces: ['jane', 'reports'] });
    const login = await request(app).post('/api/security/token').type('form').send({ username: 'sam', password: hashes.passlib_2b_cost10.password });
    expect(login.status).toBe(200);
    const byToken = await request(app).get('/ws').set('Authorization', `Bearer ${login.body.access_token as string}`);
    expect(byToken.body).toEqual({ user: 'sam', workspaces: ['sam'] });
    expect(auth.status()).toMatchObject({ users: 2, source: 'users option', defaultUserInForce: false });
    expect(logger.lines).toEqual([]);
  });

  it('replace the users file and the default user: no file is read, not even one the environment names', async () => {
    writeFileSync(path.join(folder.dir, '.users.yml'), entry('from-the-file'));
    const auth = build({ users: [JANE], env: { ARGILLA_LOCAL_AUTH_USERS_DB_FILE: path.join(folder.dir, 'missing.yml') } });
    expect(auth.users().size).toBe(1);
    expect(auth.users().findByUsername('from-the-file')).toBeUndefined();
    expect(auth.users().findByUsername('argilla')).toBeUndefined();
  });

  it('are copied at start: changing the array or its entries afterwards changes nothing', async () => {
    const users: UsersFileEntry[] = [{ ...JANE }];
    const auth = build({ users });
    users.push(SAM);
    (users[0] as { disabled?: boolean }).disabled = true;
    expect((await request(appOf(auth)).get('/ws').set('X-API-Key', JANE.api_key)).status).toBe(200);
    expect(auth.users().size).toBe(1);
  });

  it('are never reloaded: reload() rejects and says why, and a users file appearing later changes nothing', async () => {
    const auth = build({ users: [JANE] });
    await expect(auth.reload()).rejects.toThrow(ConfigError);
    await expect(auth.reload()).rejects.toThrow('reload(): reads the users file again, and this instance has none: its users are the users option.');
    writeFileSync(path.join(folder.dir, '.users.yml'), entry('late'));
    // The watcher would have put a users file in force within two of its 500 ms intervals.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(auth.users().findByUsername('late')).toBeUndefined();
    expect(auth.status().source).toBe('users option');
  });

  it('log their warnings, named as the users option', () => {
    build({ users: [{ ...JANE, api_key: 'short' }] });
    expect(logger.lines).toEqual([expect.stringMatching(/^warn: The users option has 1 warning:\n {2}- users option: entry 1 \(jane\), field "api_key": is shorter than 16 characters/)]);
  });
});

describe('checked exactly as the users file', () => {
  // A file with a problem of every kind: the same entries given as the option get the same problems.
  const BROKEN = [
    `- username: Bad Name\n  hashed_password: plaintext\n  api_key: ""\n  workspace: [team]\n`,
    `- username: ann\n  hashed_password: "${HASH}"\n  api_key: 12345\n  email: not-an-email\n  disabled: "yes"\n  workspaces: [ok, "bad name", 3]\n`,
    `- username: ann\n  hashed_password: "$apr1$abc$def"\n  api_key: shared-key-0123456789abcdef\n  full_name: A\n  fullname: B\n`,
    `- username: bob\n  hashed_password: "${HASH}"\n  api_key: shared-key-0123456789abcdef\n`,
    `- just a string\n`,
  ].join('');

  it('reports every problem at once, the same problems as the file gets', () => {
    const file = path.join(folder.dir, 'users.yml');
    writeFileSync(file, BROKEN);
    const fromFile = refusalOf(() => build({ usersFile: file, watch: false }));
    const fromOption = refusalOf(() => build({ users: parseYaml(BROKEN, 'users.yml').document as UsersFileEntry[] }));
    expect(fromFile.problems.length).toBeGreaterThanOrEqual(10);
    expect(fromOption.problems).toEqual(fromFile.problems.map((problem) => ({ ...problem, where: problem.where.replace(file, 'users option') })));
    expect(fromOption.file).toBe('users option');
    expect(fromOption.message.split('\n')[0]).toBe(`The users option has ${fromFile.problems.length} problems:`);
  });

  it('refuses an empty list, as it refuses a file without users', () => {
    expect(refusalOf(() => build({ users: [] })).message).toMatch(/^The users option has 1 problem:\n {2}- users option: lists no users, so nobody could log in/);
  });

  it('refuses a hole in a sparse array as an entry that is no mapping, never skips it', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is checked.
    const refusal = refusalOf(() => build({ users: [JANE, , SAM] as UsersFileEntry[] }));
    expect(refusal.problems.map((problem) => problem.where)).toEqual(['users option: entry 2 (no username)']);
    expect(refusal.problems[0]?.message).toMatch(/^must be a mapping of fields/);
  });

  it('never takes an entry for a hole from Array.prototype', () => {
    const polluted = Array.prototype as unknown as Record<number, unknown>;
    polluted[1] = { username: 'mallory', hashed_password: HASH, api_key: 'mallory-api-key-0123456789abcdef', workspaces: null };
    try {
      // biome-ignore lint/suspicious/noSparseArray: the hole is what is checked.
      const refusal = refusalOf(() => build({ users: [JANE, , SAM] as UsersFileEntry[] }));
      expect(refusal.problems.map((problem) => problem.where)).toEqual(['users option: entry 2 (no username)']);
    } finally {
      delete polluted[1];
    }
  });

  it('reads only what an entry holds itself: an inherited field counts for nothing', () => {
    const inherited = Object.assign(Object.create({ disabled: true, workspaces: null }), JANE) as UsersFileEntry;
    const auth = build({ users: [inherited] });
    expect(auth.users().findByUsername('jane')?.user).toMatchObject({ disabled: false, superuser: false, workspaces: ['reports'] });
  });
});

describe('with the options of a users file', () => {
  const messagesOf = (options: WorkspaceAuthOptions) => {
    try {
      build(options);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.map((problem) => problem.message);
    }
    throw new Error('nothing was thrown');
  };

  it('is refused beside usersFile, watch: true and watchIntervalMs, each said', () => {
    expect(messagesOf({ users: [JANE], usersFile: 'users.yml', watch: true, watchIntervalMs: 100 })).toEqual([
      'usersFile applies to a users file, and the users option replaces the file: give one of the two (users are held in memory, never read nor watched).',
      'watch: true applies to a users file, and the users option replaces the file: give one of the two (users are held in memory, never read nor watched).',
      'watchIntervalMs applies to a users file, and the users option replaces the file: give one of the two (users are held in memory, never read nor watched).',
    ]);
    expect(() => build({ users: [JANE], watch: false })).not.toThrow();
  });

  it('wants an array', () => {
    expect(messagesOf({ users: JANE as unknown as UsersFileEntry[] })).toEqual([
      "users must be an array of users with the users file's fields, such as [{ username: 'jane', hashed_password: '$2b$12$...', api_key: '...' }], not an object.",
    ]);
  });
});
