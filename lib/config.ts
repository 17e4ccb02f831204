import path from 'node:path';
import { ConfigError, type Problem } from './errors';
import { closestName } from './did-you-mean';
import { describeHashProblem } from './passwords';
import type { UserRecord } from './types';

/** `ARGILLA` first; the product's former name `RUBRIX` is read when the ARGILLA variable is unset. */
export type Flavour = 'argilla' | 'rubrix';

const SETTINGS = [
  'USERS_DB_FILE',
  'DEFAULT_APIKEY',
  'DEFAULT_PASSWORD',
  'SECRET_KEY',
  'TOKEN_EXPIRATION_IN_MINUTES',
] as const;
type Setting = (typeof SETTINGS)[number];

export const DEFAULT_USERS_FILE = '.users.yml';
export const DEFAULT_TOKEN_EXPIRATION_IN_MINUTES = 30000;
/** bcrypt ($2b$, cost 10) of the seed documents' default password `1234`. */
export const DEFAULT_PASSWORD_HASH = '$2b$10$sN3dBxTC6b4acFeCfhmq/.S3eLLTgiHskC.G.2O.1RfEnK/aw1KMu';

/** What the environment says, resolved and checked. Nothing here has touched the disk. */
export interface EnvConfig {
  flavour: Flavour;
  /** `explicit`: named by a variable, so it must exist; only the implicit default may be missing. */
  usersFile: { path: string; explicit: boolean };
  /** The user of an instance with no users file. */
  defaultUser: UserRecord;
  /** Undefined when unset: the plugin then makes a random per-process key and warns. */
  secretKey: string | undefined;
  tokenExpirationMinutes: number;
  /** Advice that does not stop the start, e.g. variables this product does not read. */
  warnings: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const prefixed = (prefix: string, setting: Setting): string => `${prefix}_LOCAL_AUTH_${setting}`;

function flavourOf(env: Env): Flavour {
  const any = (prefix: string) => SETTINGS.some((setting) => env[prefixed(prefix, setting)] !== undefined);
  return !any('ARGILLA') && any('RUBRIX') ? 'rubrix' : 'argilla';
}

/**
 * Reads the `<P>_LOCAL_AUTH_*` variables of an environment (pure: pass `process.env`).
 * Throws a ConfigError listing every problem at once.
 */
export function configFromEnv(env: Env, cwd: string = process.cwd()): EnvConfig {
  const problems: Problem[] = [];
  const warnings: string[] = [];

  const read = (setting: Setting): { name: string; value: string } | undefined => {
    for (const prefix of ['ARGILLA', 'RUBRIX']) {
      const name = prefixed(prefix, setting);
      const value = env[name];
      if (value === undefined) continue;
      // An empty value is most often an unset shell or compose variable: never guess what it meant.
      if (value.trim() === '') {
        problems.push({ where: name, message: 'is set but empty. Give it a value, or unset it to use the default.' });
        return undefined;
      }
      return { name, value };
    }
    return undefined;
  };

  // A typo such as ARGILLA_LOCAL_AUTH_USER_DB_FILE would silently fall back to the default user.
  for (const name of Object.keys(env)) {
    const match = /^(ARGILLA|RUBRIX)_LOCAL_AUTH_(.+)$/.exec(name);
    if (!match || (SETTINGS as readonly string[]).includes(match[2] ?? '')) continue;
    const suggestion = closestName(match[2] ?? '', SETTINGS);
    if (suggestion) {
      problems.push({ where: name, message: `is not a known variable. Did you mean ${match[1]}_LOCAL_AUTH_${suggestion}?` });
    } else {
      warnings.push(`${name} is not read by express-workspace-auth; it has no effect.`);
    }
  }

  const flavour = flavourOf(env);
  const usersFileVar = read('USERS_DB_FILE');
  const apiKeyVar = read('DEFAULT_APIKEY');
  const passwordVar = read('DEFAULT_PASSWORD');
  const secretVar = read('SECRET_KEY');
  const expirationVar = read('TOKEN_EXPIRATION_IN_MINUTES');

  if (passwordVar) {
    const hashProblem = describeHashProblem(passwordVar.value);
    if (hashProblem) problems.push({ where: passwordVar.name, message: `must be a bcrypt hash, not a password: it ${hashProblem}` });
  }

  let tokenExpirationMinutes = DEFAULT_TOKEN_EXPIRATION_IN_MINUTES;
  if (expirationVar) {
    tokenExpirationMinutes = Number(expirationVar.value);
    if (!/^\d+$/.test(expirationVar.value) || tokenExpirationMinutes < 1 || !Number.isSafeInteger(tokenExpirationMinutes)) {
      problems.push({ where: expirationVar.name, message: `must be a whole number of minutes, 1 or more (got "${expirationVar.value}").` });
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const username = flavour === 'rubrix' ? 'rubrix' : 'argilla';
  return {
    flavour,
    usersFile: usersFileVar
      ? { path: path.resolve(cwd, usersFileVar.value), explicit: true }
      : { path: path.resolve(cwd, DEFAULT_USERS_FILE), explicit: false },
    defaultUser: {
      user: { username, email: null, full_name: null, disabled: false, workspaces: null, superuser: true },
      hashedPassword: passwordVar?.value ?? DEFAULT_PASSWORD_HASH,
      apiKey: apiKeyVar?.value ?? `${username}.apikey`,
    },
    secretKey: secretVar?.value,
    tokenExpirationMinutes,
    warnings,
  };
}
