import path from 'node:path';
import { ConfigError, configFromEnv } from '../../../lib/index';
import { DEFAULT_PASSWORD_HASH, describeTokenApiUrlProblem } from '../../../lib/options/environment';
import { describeSecretKeyProblem, MIN_SECRET_KEY_BYTES } from '../../../lib/options/secret-key';
import { verifyPassword } from '../../../lib/auth/passwords';
import { hashes, SECRET } from '../../helpers';

const cwd = '/srv/app';

// The advice for a key with whitespace around it, as an operator reads it.
const WHITESPACE_PROBLEM =
  'begins or ends with whitespace (a space, a tab or a line break). Keys are used exactly as given, so that whitespace is part of the key, ' +
  'and a copy without it (in the previous keys after a rotation, on another instance) is another key, which refuses every token this one signed. ' +
  'Remove it; separate previous keys with commas alone.';

function problemsOf(env: Record<string, string>): string[] {
  try {
    configFromEnv(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) => `${problem.where}: ${problem.message}`);
  }
  throw new Error('the environment was accepted');
}

describe('configuration from the environment', () => {
  it('defaults to .users.yml in the working directory, implicit, and the argilla default user', () => {
    const config = configFromEnv({}, cwd);
    expect(config.flavour).toBe('argilla');
    expect(config.usersFile).toEqual({ path: path.join(cwd, '.users.yml'), explicit: false });
    expect(config.defaultUser.user).toMatchObject({ username: 'argilla', superuser: true, disabled: false });
    expect(config.defaultUser.apiKey).toBe('argilla.apikey');
    expect(config.secretKey).toBeUndefined();
    expect(config.tokenExpirationMinutes).toBe(30000);
  });

  it('has 1234 as the default password', async () => {
    await expect(verifyPassword('1234', DEFAULT_PASSWORD_HASH)).resolves.toBe(true);
  });

  it('reads every ARGILLA_LOCAL_AUTH_ variable', () => {
    const config = configFromEnv(
      {
        ARGILLA_LOCAL_AUTH_USERS_DB_FILE: 'config/users.yaml',
        ARGILLA_LOCAL_AUTH_DEFAULT_APIKEY: 'new-apikey',
        ARGILLA_LOCAL_AUTH_DEFAULT_PASSWORD: hashes.htpasswd_cost10_2y.hash,
        ARGILLA_LOCAL_AUTH_SECRET_KEY: SECRET,
        ARGILLA_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES: '15',
      },
      cwd,
    );
    expect(config.usersFile).toEqual({ path: '/srv/app/config/users.yaml', explicit: true });
    expect(config.defaultUser).toMatchObject({ apiKey: 'new-apikey', hashedPassword: hashes.htpasswd_cost10_2y.hash });
    expect(config.secretKey).toBe(SECRET);
    expect(config.tokenExpirationMinutes).toBe(15);
  });

  it('reads RUBRIX_ variables when the ARGILLA_ one is unset, and ARGILLA_ first', () => {
    const config = configFromEnv({ ARGILLA_LOCAL_AUTH_SECRET_KEY: `argilla-${SECRET}`, RUBRIX_LOCAL_AUTH_SECRET_KEY: `rubrix-${SECRET}`, RUBRIX_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES: '7' }, cwd);
    expect(config.secretKey).toBe(`argilla-${SECRET}`);
    expect(config.tokenExpirationMinutes).toBe(7);
    expect(config.flavour).toBe('argilla');
  });

  it('has the rubrix default user when only RUBRIX_ variables are set', () => {
    const config = configFromEnv({ RUBRIX_LOCAL_AUTH_SECRET_KEY: SECRET }, cwd);
    expect(config.flavour).toBe('rubrix');
    expect(config.defaultUser.user.username).toBe('rubrix');
    expect(config.defaultUser.apiKey).toBe('rubrix.apikey');
  });

  it('refuses a plaintext default password, with how to hash one', () => {
    expect(problemsOf({ ARGILLA_LOCAL_AUTH_DEFAULT_PASSWORD: 'my-new-password' })).toEqual([
      expect.stringMatching(/^ARGILLA_LOCAL_AUTH_DEFAULT_PASSWORD: must be a bcrypt hash, not a password: .*plaintext.*htpasswd -nbB/),
    ]);
  });

  it('refuses the $apr1$ hash the seed documents show for htpasswd', () => {
    expect(problemsOf({ RUBRIX_LOCAL_AUTH_DEFAULT_PASSWORD: '$apr1$n0C4S20a$noG.3yWxH1OIKfFITgzl30' })).toEqual([
      expect.stringContaining('RUBRIX_LOCAL_AUTH_DEFAULT_PASSWORD: must be a bcrypt hash, not a password: it is an Apache MD5'),
    ]);
  });

  it.each(['0', '-5', '1.5', 'soon', '99999999999999999999'])('refuses the token expiration %j', (value) => {
    expect(problemsOf({ ARGILLA_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES: value })).toEqual([
      expect.stringContaining('must be a whole number of minutes'),
    ]);
  });

  it('refuses a variable that is set but empty, rather than guess', () => {
    expect(problemsOf({ ARGILLA_LOCAL_AUTH_USERS_DB_FILE: '' })).toEqual([
      'ARGILLA_LOCAL_AUTH_USERS_DB_FILE: is set but empty. Give it a value, or unset it to use the default.',
    ]);
  });

  it('refuses a misspelt variable that would silently fall back to the default user', () => {
    expect(problemsOf({ ARGILLA_LOCAL_AUTH_USER_DB_FILE: '/config/.users.yaml' })).toEqual([
      'ARGILLA_LOCAL_AUTH_USER_DB_FILE: is not a known variable. Did you mean ARGILLA_LOCAL_AUTH_USERS_DB_FILE?',
    ]);
  });

  it('refuses an unrelated LOCAL_AUTH variable too: any name the plugin does not read stops the start (issue 13)', () => {
    expect(problemsOf({ ARGILLA_LOCAL_AUTH_ALGORITHM_FOR_SOMETHING_ELSE: 'HS256' })).toEqual([
      expect.stringMatching(/^ARGILLA_LOCAL_AUTH_ALGORITHM_FOR_SOMETHING_ELSE: is not a known variable/),
    ]);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ ARGILLA_LOCAL_AUTH_DEFAULT_PASSWORD: '1234', ARGILLA_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES: 'x', ARGILLA_LOCAL_AUTH_SECRET_KEY: ' ' })).toHaveLength(3);
  });
});

describe('every <P>_LOCAL_AUTH_ variable the plugin does not read stops the start, naming it', () => {
  it.each([
    ['USERS_DB_PATH', 'USERS_DB_FILE'],
    ['USERS_DB', 'USERS_DB_FILE'],
    ['DB_FILE', 'USERS_DB_FILE'],
    ['USERS_YAML', 'USERS_DB_FILE'],
    ['TOKEN_EXPIRATION', 'TOKEN_EXPIRATION_IN_MINUTES'],
    ['SECRET', 'SECRET_KEY'],
  ])('refuses ARGILLA_LOCAL_AUTH_%s, a slip that left the default user in force, and suggests %s', (name, meant) => {
    expect(problemsOf({ [`ARGILLA_LOCAL_AUTH_${name}`]: '/etc/app/users.yml' })).toEqual([
      `ARGILLA_LOCAL_AUTH_${name}: is not a known variable. Did you mean ARGILLA_LOCAL_AUTH_${meant}?`,
    ]);
  });

  it('refuses a name with nothing in common with a known one, listing the known ones', () => {
    expect(problemsOf({ RUBRIX_LOCAL_AUTH_COLOUR: 'blue' })).toEqual([
      expect.stringMatching(/^RUBRIX_LOCAL_AUTH_COLOUR: is not a known variable, so it would have no effect\. The variables under RUBRIX_LOCAL_AUTH_ are USERS_DB_FILE, .*TOKEN_API_URL; unset the others\.$/),
    ]);
  });

  it('refuses a known name in lower case, which Argilla (case-insensitive) would read and this plugin would not', () => {
    expect(problemsOf({ argilla_local_auth_users_db_file: '/config/.users.yaml' })).toEqual([
      'argilla_local_auth_users_db_file: is not read: variable names are case-sensitive here. Write it as ARGILLA_LOCAL_AUTH_USERS_DB_FILE.',
    ]);
  });
});

describe("Argilla's other settings under the prefix", () => {
  it('honours ALGORITHM=HS256, what the plugin does', () => {
    expect(() => configFromEnv({ ARGILLA_LOCAL_AUTH_ALGORITHM: 'HS256' }, cwd)).not.toThrow();
  });

  it.each(['RS256', 'HS512', 'hs256', 'none'])('refuses ALGORITHM=%s, saying why', (algorithm) => {
    expect(problemsOf({ ARGILLA_LOCAL_AUTH_ALGORITHM: algorithm })).toEqual([
      `ARGILLA_LOCAL_AUTH_ALGORITHM: is "${algorithm}", but express-workspace-auth signs and checks access tokens with HS256 only. Set it to HS256, or unset it.`,
    ]);
  });

  it('returns TOKEN_API_URL for the check against the login route, which depends on the apiPrefix option', () => {
    expect(configFromEnv({ RUBRIX_LOCAL_AUTH_TOKEN_API_URL: '/api/security/token' }, cwd).tokenApiUrl).toBe('/api/security/token');
    expect(configFromEnv({}, cwd).tokenApiUrl).toBeUndefined();
  });

  it('accepts a TOKEN_API_URL that names the login route, as a path or a full address', () => {
    expect(describeTokenApiUrlProblem('/api/security/token', '/api/security/token')).toBeUndefined();
    expect(describeTokenApiUrlProblem('https://argilla.example.com/auth/v1/security/token', '/auth/v1/security/token')).toBeUndefined();
  });

  it.each(['/api/token', '/api/security/token/', 'https://x.example/api/security/token?a', 'security/token'])(
    'refuses the TOKEN_API_URL %j for the login route /api/security/token',
    (value) => {
      expect(describeTokenApiUrlProblem(value, '/api/security/token')).toBe(
        `is ${JSON.stringify(value)}, but the login route of this server is POST /api/security/token (apiPrefix + /security/token). Set it to /api/security/token, or unset it.`,
      );
    },
  );
});

describe('signing keys: at least 32 bytes (RFC 7518 §3.2)', () => {
  it('refuses a short SECRET_KEY with how to make one, never repeating it', () => {
    const problems = problemsOf({ ARGILLA_LOCAL_AUTH_SECRET_KEY: 'changeme' });
    expect(problems).toEqual([
      'ARGILLA_LOCAL_AUTH_SECRET_KEY: is 8 bytes long; a key that signs HS256 tokens must be at least 32 bytes (256 bits, RFC 7518 §3.2), or anyone holding one token can guess it offline. Make one with `openssl rand -base64 32`, or `npx express-workspace-auth gen-secret`.',
    ]);
    expect(problems.join()).not.toContain('changeme');
  });

  it('counts bytes, not characters: 31 ASCII characters are refused, 16 two-byte characters are enough', () => {
    expect(describeSecretKeyProblem('x'.repeat(MIN_SECRET_KEY_BYTES - 1))).toMatch(/^is 31 bytes long/);
    expect(describeSecretKeyProblem('x'.repeat(MIN_SECRET_KEY_BYTES))).toBeUndefined();
    expect(describeSecretKeyProblem('é'.repeat(16))).toBeUndefined();
    expect(describeSecretKeyProblem('é'.repeat(15))).toMatch(/^is 30 bytes long/);
  });

  it('reads PREVIOUS_SECRET_KEYS as comma-separated keys', () => {
    const older = `older-${SECRET}`;
    expect(configFromEnv({ ARGILLA_LOCAL_AUTH_PREVIOUS_SECRET_KEYS: `${SECRET},${older}` }, cwd).previousSecretKeys).toEqual([SECRET, older]);
    expect(configFromEnv({}, cwd).previousSecretKeys).toEqual([]);
  });

  // One rule for the current key and the previous ones (issue 24): a key is used exactly as given,
  // so whitespace around one, which one place would keep and another drop, stops the start instead.
  it.each([
    ['a SECRET_KEY with a space after it', { ARGILLA_LOCAL_AUTH_SECRET_KEY: `${SECRET} ` }, 'ARGILLA_LOCAL_AUTH_SECRET_KEY'],
    ['a SECRET_KEY with a line break after it', { ARGILLA_LOCAL_AUTH_SECRET_KEY: `${SECRET}\n` }, 'ARGILLA_LOCAL_AUTH_SECRET_KEY'],
    ['previous keys with a space after the comma', { ARGILLA_LOCAL_AUTH_PREVIOUS_SECRET_KEYS: `${SECRET}, older-${SECRET}` }, 'ARGILLA_LOCAL_AUTH_PREVIOUS_SECRET_KEYS, key 2 of 2'],
    ['a previous key with a tab before it', { ARGILLA_LOCAL_AUTH_PREVIOUS_SECRET_KEYS: `\t${SECRET}` }, 'ARGILLA_LOCAL_AUTH_PREVIOUS_SECRET_KEYS, key 1 of 1'],
  ])('refuses %s, with the fix, never repeating the key', (_what, env, where) => {
    const problems = problemsOf(env);
    expect(problems).toEqual([`${where}: ${WHITESPACE_PROBLEM}`]);
    expect(problems.join()).not.toContain(SECRET);
  });

  it('refuses short and empty previous keys, naming which, never repeating them', () => {
    const problems = problemsOf({ ARGILLA_LOCAL_AUTH_PREVIOUS_SECRET_KEYS: `${SECRET},short-old-key,` });
    expect(problems).toEqual([
      expect.stringMatching(/^ARGILLA_LOCAL_AUTH_PREVIOUS_SECRET_KEYS, key 2 of 3: is 13 bytes long; .*openssl rand -base64 32/),
      'ARGILLA_LOCAL_AUTH_PREVIOUS_SECRET_KEYS, key 3 of 3: is empty: separate the keys with single commas, with no comma at the end.',
    ]);
    expect(problems.join()).not.toContain('short-old-key');
  });
});

describe('names in messages follow the flavour in use', () => {
  it('names the RUBRIX_ variables when only those are set, and the variable that named the users file', () => {
    const config = configFromEnv({ RUBRIX_LOCAL_AUTH_USERS_DB_FILE: 'users.yml' }, cwd);
    expect(config.variables.SECRET_KEY).toBe('RUBRIX_LOCAL_AUTH_SECRET_KEY');
    expect(config.usersFileVariable).toBe('RUBRIX_LOCAL_AUTH_USERS_DB_FILE');
    expect(configFromEnv({}, cwd).variables.SECRET_KEY).toBe('ARGILLA_LOCAL_AUTH_SECRET_KEY');
  });
});

describe('warnings for when the default user is in force', () => {
  it('names ARGILLA_/RUBRIX_ variables outside the prefix that mention users, secrets, keys or passwords', () => {
    const config = configFromEnv({ ARGILLA_SECRET_KEY: 'x', RUBRIX_USERS_DB_FILE: 'y', ARGILLA_PASSWORD: 'z', ARGILLA_HOME_PATH: '/data', ARGILLA_ELASTICSEARCH: 'http://es', ARGILLA_API_KEY: 'k' }, cwd);
    expect(config.defaultUserWarnings).toEqual([
      'ARGILLA_SECRET_KEY is set, but express-workspace-auth does not read it, and the default user "argilla" is in force. If it was meant for this plugin, the name is ARGILLA_LOCAL_AUTH_SECRET_KEY.',
      'RUBRIX_USERS_DB_FILE is set, but express-workspace-auth does not read it, and the default user "argilla" is in force. If it was meant for this plugin, the name is ARGILLA_LOCAL_AUTH_USERS_DB_FILE.',
      'ARGILLA_PASSWORD is set, but express-workspace-auth does not read it, and the default user "argilla" is in force. If it was meant for this plugin, the name is ARGILLA_LOCAL_AUTH_DEFAULT_PASSWORD.',
      'ARGILLA_API_KEY is set, but express-workspace-auth does not read it, and the default user "argilla" is in force. If it was meant for this plugin, the name is ARGILLA_LOCAL_AUTH_DEFAULT_APIKEY.',
    ]);
  });

  it('warns that a default password hash of low cost is cheap to guess', () => {
    expect(configFromEnv({ ARGILLA_LOCAL_AUTH_DEFAULT_PASSWORD: hashes.htpasswd_default_2y.hash }, cwd).warnings).toEqual([
      expect.stringMatching(/^ARGILLA_LOCAL_AUTH_DEFAULT_PASSWORD has bcrypt cost 5, below the recommended 10/),
    ]);
  });
});

describe('names in reports', () => {
  it('escapes a variable name that carries control characters', () => {
    expect(problemsOf({ 'ARGILLA_LOCAL_AUTH_X\n  - forged': 'y' })).toEqual([
      expect.stringMatching(/^"ARGILLA_LOCAL_AUTH_X\\n {2}- forged": is not a known variable/),
    ]);
  });
});
