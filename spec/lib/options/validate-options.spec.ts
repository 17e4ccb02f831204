import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import passport from 'passport';
import { ConfigError, MemoryRevocationList, workspaceAuth, type WorkspaceAuthOptions } from '../../../lib/index';
import { SECRET_KEY_WHITESPACE_PROBLEM } from '../../../lib/options/secret-key';
import hashes from '../../fixtures/hashes.json';

const quiet = { info() {}, warn() {}, error() {} };
let dir: string;

beforeAll(() => {
  // An empty folder: no users file, so a valid build uses the default user and reads nothing.
  dir = mkdtempSync(path.join(tmpdir(), 'ewa-options-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The ConfigError workspaceAuth() throws for these options (fails the test if it does not throw one). */
function configErrorFor(options: unknown): ConfigError {
  try {
    workspaceAuth({ env: {}, cwd: dir, watch: false, logger: quiet, ...(options as object) }).close();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`workspaceAuth(${JSON.stringify(options)}) did not throw`);
}

function messagesFor(options: unknown): string[] {
  return configErrorFor(options).problems.map((problem) => problem.message);
}

describe('unknown options', () => {
  it('names the option meant for a likely typo', () => {
    const error = configErrorFor({ userFile: '.users.yml' });
    expect(error.problems).toEqual([{ where: 'workspaceAuth()', message: 'Unknown option userFile. Did you mean usersFile?' }]);
    expect(error.message).toContain('Unknown option userFile. Did you mean usersFile?');
  });

  it('lists the options when nothing is close', () => {
    expect(messagesFor({ colour: 'red' })).toEqual([
      'Unknown option colour. The options are: usersFile, users, secretKey, previousSecretKeys, revocationList, tokenExpirationMinutes, env, cwd, passport, apiPrefix, userProperty, watch, watchIntervalMs, loginRateLimit, logger, realm, maxConcurrentHashes, onRefusal, keyAndTokenRateLimit, loginQueue, redis, redisKeyPrefix.',
    ]);
  });

  it("names express-rate-limit's former `max` as loginRateLimit.limit", () => {
    expect(messagesFor({ loginRateLimit: { max: 5 } })).toEqual(['Unknown option loginRateLimit.max. Did you mean loginRateLimit.limit?']);
  });

  it('is not fooled by prototype names', () => {
    expect(messagesFor(JSON.parse('{"__proto__": {"watch": true}, "constructor": 1}'))).toEqual([
      expect.stringMatching(/^Unknown option __proto__\./),
      expect.stringMatching(/^Unknown option constructor\./),
    ]);
  });
});

describe('wrong types', () => {
  it('wants tokenExpirationMinutes as a whole number of minutes, and says how to write it', () => {
    expect(messagesFor({ tokenExpirationMinutes: '5' })).toEqual([
      'tokenExpirationMinutes must be a whole number of minutes, 1 or more, not the string "5". Write it without quotes: tokenExpirationMinutes: 5.',
    ]);
    for (const wrong of [0, -1, 1.5, Number.NaN, Infinity]) {
      expect(messagesFor({ tokenExpirationMinutes: wrong })).toEqual([expect.stringContaining('tokenExpirationMinutes must be a whole number of minutes')]);
    }
  });

  it('wants watch as a boolean', () => {
    expect(messagesFor({ watch: 'false' })).toEqual(['watch must be true or false, not the string "false". Write it without quotes: watch: false.']);
  });

  it('wants non-empty strings for paths and the secret key, without echoing the key', () => {
    expect(messagesFor({ usersFile: '' })).toEqual([expect.stringContaining('usersFile must be a non-empty string, not an empty string.')]);
    expect(messagesFor({ cwd: 42 })).toEqual([expect.stringContaining('cwd must be a non-empty string, not the number 42.')]);
    expect(messagesFor({ secretKey: Buffer.from('s3cret') })).toEqual([expect.stringContaining('secretKey must be a non-empty string, not a Buffer.')]);
  });

  it('refuses a secretKey or previous key with whitespace around it, by the rule the variables follow, without echoing the key', () => {
    const key = 'a-valid-secret-key-of-32-characters!';
    expect(messagesFor({ secretKey: `${key}\n`, previousSecretKeys: [key, ` ${key}`] })).toEqual([
      `secretKey ${SECRET_KEY_WHITESPACE_PROBLEM}`,
      `previousSecretKeys[1] ${SECRET_KEY_WHITESPACE_PROBLEM}`,
    ]);
  });

  it('wants env as an object of strings', () => {
    expect(messagesFor({ env: 'production' })).toEqual([expect.stringContaining('env must be an object of environment variables')]);
    expect(messagesFor({ env: { ARGILLA_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES: 60 } })).toEqual([
      'env.ARGILLA_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES must be a string, as in process.env, not the number 60.',
    ]);
  });

  it('wants a Passport instance, not the class', () => {
    expect(messagesFor({ passport: passport.Passport })).toEqual([expect.stringContaining('passport must be a Passport instance')]);
  });

  it('wants apiPrefix as a path that starts with "/" and has no trailing "/"', () => {
    for (const wrong of ['api', '/api/', '/', '/my api']) {
      expect(messagesFor({ apiPrefix: wrong })).toEqual([expect.stringContaining('apiPrefix must be a path such as "/api"')]);
    }
  });

  it('wants userProperty as a property name Express, Node.js and Passport leave free, or false', () => {
    for (const fine of ['user', 'apiUser', 'workspaceUser', false] as const) expect(() => workspaceAuth({ env: {}, cwd: dir, watch: false, logger: quiet, userProperty: fine }).close()).not.toThrow();
    expect(messagesFor({ userProperty: true })).toEqual([
      'userProperty must be the name of a request property for the plugin\'s user, such as "user" or "apiUser", or false for auth.userOf(req) only; not true.',
    ]);
    for (const wrong of ['', 'api user', '1st', '__proto__']) expect(messagesFor({ userProperty: wrong })).toEqual([expect.stringContaining('userProperty must be the name of a request property')]);
    for (const taken of ['body', 'params', 'query', 'headers', 'session', 'isAuthenticated', 'workspace', 'get', 'constructor', 'toString', 'on']) {
      expect(messagesFor({ userProperty: taken })).toEqual([`userProperty "${taken}" is a property that Node.js, Express or Passport already gives requests: choose another name, such as "apiUser".`]);
    }
  });

  it('wants a logger with info, warn and error', () => {
    expect(messagesFor({ logger: { info() {}, error() {} } })).toEqual([
      'logger must have the methods info, warn and error (console fits); an object lacks warn.',
    ]);
  });

  it('wants a realm that fits in a WWW-Authenticate header', () => {
    for (const wrong of ['my "realm"', 'line\nbreak', '', 'back\\slash']) {
      expect(messagesFor({ realm: wrong })).toEqual([expect.stringContaining('realm must be a non-empty string of printable ASCII')]);
    }
  });

  it('checks loginRateLimit field by field', () => {
    expect(messagesFor({ loginRateLimit: 10 })).toEqual([expect.stringContaining('loginRateLimit must be an object')]);
    expect(messagesFor({ loginRateLimit: { windowMs: '60000', limit: 0, store: {} } })).toEqual([
      'loginRateLimit.windowMs must be a whole number of milliseconds, 1000 (one second) or more, not the string "60000". Write it without quotes: loginRateLimit.windowMs: 60000.',
      'loginRateLimit.limit must be a whole number of failed logins, 1 or more, not the number 0.',
      expect.stringContaining('loginRateLimit.store is no longer supported: failed logins are counted with rate-limiter-flexible. To share the counts between instances, pass your Redis client as the redis option'),
    ]);
  });

  it('wants an options object', () => {
    expect(() => workspaceAuth('.users.yml' as WorkspaceAuthOptions)).toThrow(
      'workspaceAuth() takes an options object, not the string ".users.yml". Write workspaceAuth({ usersFile: ".users.yml" }), or workspaceAuth() for the defaults.',
    );
    expect(() => workspaceAuth(null as unknown as WorkspaceAuthOptions)).toThrow(ConfigError);
  });
});

it('reports every problem at once', () => {
  expect(messagesFor({ userFile: 'x', watch: 1, realm: 'a"b' })).toHaveLength(3);
});

it('accepts undefined as "use the default", as the plugin does', () => {
  const auth = workspaceAuth({ env: {}, cwd: dir, watch: false, logger: quiet, secretKey: undefined, usersFile: undefined, realm: undefined });
  auth.close();
  expect(auth.users().size).toBe(1);
});

it('accepts every option with a valid value', () => {
  const usersFile = path.join(dir, 'users.yml');
  // Never connected: the plugin only checks it is a client, and listens to its events.
  const redis = new Redis({ lazyConnect: true });
  writeFileSync(usersFile, `- username: jane\n  hashed_password: "${hashes.passlib_2b_cost10.hash}"\n  api_key: jane-key\n`);
  // Every option but `users`, which replaces usersFile (spec/lib/users/users-option.spec.ts).
  const options: Required<Omit<WorkspaceAuthOptions, 'users'>> = {
    usersFile,
    secretKey: 'a-valid-secret-key-of-32-characters!',
    previousSecretKeys: ['a-former-secret-key-of-32-characters'],
    revocationList: new MemoryRevocationList(),
    tokenExpirationMinutes: 60,
    env: { HOME: '/root', UNSET: undefined },
    cwd: dir,
    passport: new passport.Passport(),
    apiPrefix: '/auth/v1',
    userProperty: 'apiUser',
    watch: false,
    watchIntervalMs: 250,
    loginRateLimit: { windowMs: 60_000, limit: 5, clientLimit: 50 },
    logger: quiet,
    realm: 'my-app',
    maxConcurrentHashes: 2,
    onRefusal: (_req, res) => {
      res.status(418).end();
    },
    keyAndTokenRateLimit: { windowMs: 60_000, limit: 20 },
    loginQueue: { maxWaitMs: 1000, clientShare: 0.25 },
    redis,
    redisKeyPrefix: 'my-app:auth:',
  };
  const auth = workspaceAuth(options);
  auth.close();
  redis.disconnect();
  expect(auth.users().findByUsername('jane')).toBeDefined();
});
