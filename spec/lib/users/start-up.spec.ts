import { writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { ConfigError, UsersFileError, workspaceAuth, type UsersIndex, type WorkspaceAuth } from '../../../lib/index';
import { configFromEnv } from '../../../lib/options/environment';
import { loadUsersFileSync } from '../../../lib/users/read-file';
import { formatWarnings } from '../../../lib/users/warnings';
import { UsersSource, type UsersSourceOptions } from '../../../lib/users/users-source';
import { entry, makeApp, recordingLogger, tempDir, SECRET } from '../../helpers';

// What happens when the plugin starts: the users file, the default user, and what is logged.
jest.setTimeout(30_000);

const KEYS = { alice: '"alice-key-0123456789abcdef"', bob: '"bob-key-0123456789abcdef"' };
const alice = (fields: Record<string, string> = {}) => entry('alice', { api_key: KEYS.alice, workspaces: '[]', ...fields });
const bob = (fields: Record<string, string> = {}) => entry('bob', { api_key: KEYS.bob, workspaces: '[team]', ...fields });

/** Resolves with the next version put in force. */
function nextReload(auth: WorkspaceAuth): Promise<UsersIndex> {
  return new Promise((resolve) => auth.once('reload', resolve));
}

let folder: ReturnType<typeof tempDir>;
let file: string;
let logger: ReturnType<typeof recordingLogger>;

beforeEach(() => {
  folder = tempDir();
  file = path.join(folder.dir, 'users.yml');
  writeFileSync(file, alice() + bob());
  logger = recordingLogger();
});

afterEach(() => folder.remove());

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

describe('start-up refuses what would open the instance', () => {
  it('refuses a misnamed variable that would have left the default user in force', () => {
    expect(() => workspaceAuth({ env: { ARGILLA_LOCAL_AUTH_USERS_DB_PATH: file }, cwd: folder.dir, watch: false, logger, secretKey: SECRET })).toThrow(ConfigError);
    expect(() => workspaceAuth({ env: { ARGILLA_LOCAL_AUTH_USERS_DB_PATH: file }, cwd: folder.dir, watch: false, logger, secretKey: SECRET })).toThrow(
      'ARGILLA_LOCAL_AUTH_USERS_DB_PATH: is not a known variable. Did you mean ARGILLA_LOCAL_AUTH_USERS_DB_FILE?',
    );
  });

  it('refuses a signing key shorter than 32 bytes from the environment', () => {
    expect(() => workspaceAuth({ env: { ARGILLA_LOCAL_AUTH_SECRET_KEY: 'changeme' }, usersFile: file, watch: false, logger })).toThrow(
      /ARGILLA_LOCAL_AUTH_SECRET_KEY: is 8 bytes long; a key that signs HS256 tokens must be at least 32 bytes/,
    );
  });

  it('refuses an alias bomb at once, naming the entry and the field', () => {
    const bomb = 'abcdefgh'.split('').reduce((yaml, level, i, levels) => `${yaml}, &${levels[i + 1] ?? 'z'} [${Array(9).fill(`*${level}`).join(', ')}]`, '[&a [lol, lol, lol, lol, lol, lol, lol, lol, lol]') + ']';
    writeFileSync(file, alice({ email: bomb }));
    expect(() => makeApp({ usersFile: file })).toThrow(/entry 1 \(alice\), field "email": uses YAML aliases that expand to more than 1,000,000 values/);
  });
});

describe('what start-up logs', () => {
  const source = (options: Partial<UsersSourceOptions> = {}) =>
    new UsersSource({ file, explicit: true, defaultUser: configFromEnv({}).defaultUser, watch: false, watchIntervalMs: 500, logger, ...options });

  it('logs the warnings of the file, the same findings the loader gives `check`', () => {
    writeFileSync(file, alice({ workspaces: '' }) + bob({ api_key: '"short"' }));
    const started = source();
    const findings = loadUsersFileSync(file).warnings;
    expect(findings).toHaveLength(2);
    expect(started.warnings).toEqual(findings);
    expect(logger.lines).toEqual([`warn: ${formatWarnings(file, findings)}`]);
    started.close();
  });

  it('logs nothing for a file without warnings', () => {
    source().close();
    expect(logger.lines).toEqual([]);
  });

  it('names look-alike variables when the default user is in force, and only then', () => {
    const env = { ARGILLA_SECRET_KEY: 'x'.repeat(40) };
    const { defaultUserWarnings } = configFromEnv(env, folder.dir);
    source({ file: path.join(folder.dir, '.users.yml'), explicit: false, defaultUserWarnings }).close();
    expect(logger.lines).toEqual([
      'warn: ARGILLA_SECRET_KEY is set, but express-workspace-auth does not read it, and the default user "argilla" is in force. If it was meant for this plugin, the name is ARGILLA_LOCAL_AUTH_SECRET_KEY.',
    ]);
    logger.lines.length = 0;
    source({ defaultUserWarnings }).close();
    expect(logger.lines).toEqual([]);
  });

  it('names the variable that named a missing users file, in the flavour in use', () => {
    const config = configFromEnv({ RUBRIX_LOCAL_AUTH_USERS_DB_FILE: 'typo.yml' }, folder.dir);
    expect(() => source({ file: config.usersFile.path, fileNamedBy: config.usersFileVariable })).toThrow(
      new UsersFileError(config.usersFile.path, [
        { where: config.usersFile.path, message: 'does not exist. Fix the path in RUBRIX_LOCAL_AUTH_USERS_DB_FILE, or create the file.' },
      ]),
    );
  });
});
