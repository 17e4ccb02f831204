import path from 'node:path';
import { ConfigError, configFromEnv } from '../../lib';
import { DEFAULT_PASSWORD_HASH } from '../../lib/config';
import { verifyPassword } from '../../lib/passwords';
import { hashes } from '../helpers';

const cwd = '/srv/app';

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
        ARGILLA_LOCAL_AUTH_SECRET_KEY: 'the-secret',
        ARGILLA_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES: '15',
      },
      cwd,
    );
    expect(config.usersFile).toEqual({ path: '/srv/app/config/users.yaml', explicit: true });
    expect(config.defaultUser).toMatchObject({ apiKey: 'new-apikey', hashedPassword: hashes.htpasswd_cost10_2y.hash });
    expect(config.secretKey).toBe('the-secret');
    expect(config.tokenExpirationMinutes).toBe(15);
  });

  it('reads RUBRIX_ variables when the ARGILLA_ one is unset, and ARGILLA_ first', () => {
    const config = configFromEnv({ ARGILLA_LOCAL_AUTH_SECRET_KEY: 'argilla-secret', RUBRIX_LOCAL_AUTH_SECRET_KEY: 'rubrix-secret', RUBRIX_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES: '7' }, cwd);
    expect(config.secretKey).toBe('argilla-secret');
    expect(config.tokenExpirationMinutes).toBe(7);
    expect(config.flavour).toBe('argilla');
  });

  it('has the rubrix default user when only RUBRIX_ variables are set', () => {
    const config = configFromEnv({ RUBRIX_LOCAL_AUTH_SECRET_KEY: 's' }, cwd);
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

  it('only warns about an unrelated LOCAL_AUTH variable', () => {
    expect(configFromEnv({ ARGILLA_LOCAL_AUTH_ALGORITHM_FOR_SOMETHING_ELSE: 'HS256' }, cwd).warnings).toEqual([
      'ARGILLA_LOCAL_AUTH_ALGORITHM_FOR_SOMETHING_ELSE is not read by express-workspace-auth; it has no effect.',
    ]);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ ARGILLA_LOCAL_AUTH_DEFAULT_PASSWORD: '1234', ARGILLA_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES: 'x', ARGILLA_LOCAL_AUTH_SECRET_KEY: ' ' })).toHaveLength(3);
  });
});
