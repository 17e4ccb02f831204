import path from 'node:path';
import { describeHashProblem, describeLowCost } from '../users/hash-format';
import { closestByWords, closestName } from '../util/did-you-mean';
import { ConfigError, type Problem } from '../errors';
import { quoted } from '../util/report-text';
import { describeSecretKeyProblem } from './secret-key';
import type { UserRecord } from '../types';

/** `ARGILLA` first; the product's former name `RUBRIX` is read when the ARGILLA variable is unset. */
export type Flavour = 'argilla' | 'rubrix';

/** Every `<P>_LOCAL_AUTH_*` setting this plugin reads; any other name under that prefix stops the start. */
const SETTINGS = [
  'USERS_DB_FILE',
  'DEFAULT_APIKEY',
  'DEFAULT_PASSWORD',
  'SECRET_KEY',
  'TOKEN_EXPIRATION_IN_MINUTES',
  'PREVIOUS_SECRET_KEYS',
  // Argilla's own settings under the prefix: honoured when they match what this plugin does.
  'ALGORITHM',
  'TOKEN_API_URL',
] as const;
export type Setting = (typeof SETTINGS)[number];

const DEFAULT_USERS_FILE = '.users.yml';
const DEFAULT_TOKEN_EXPIRATION_IN_MINUTES = 30000;
/** bcrypt ($2b$, cost 10) of the seed documents' default password `1234`. */
export const DEFAULT_PASSWORD_HASH = '$2b$10$sN3dBxTC6b4acFeCfhmq/.S3eLLTgiHskC.G.2O.1RfEnK/aw1KMu';
/** The only token algorithm: what Argilla's ALGORITHM defaults to. */
const TOKEN_ALGORITHM = 'HS256';

/** What the environment says, resolved and checked. Nothing here has touched the disk. */
export interface EnvConfig {
  flavour: Flavour;
  /** The name of each setting's variable in the flavour in use, for messages: `RUBRIX_LOCAL_AUTH_SECRET_KEY` when only RUBRIX_ variables are set. */
  variables: Readonly<Record<Setting, string>>;
  /** `explicit`: named by a variable, so it must exist; only the implicit default may be missing. */
  usersFile: { path: string; explicit: boolean };
  /** The variable that named the users file (ARGILLA_ or RUBRIX_), for the advice when it is missing. */
  usersFileVariable?: string;
  /** The user of an instance with no users file. */
  defaultUser: UserRecord;
  /** Undefined when unset: the plugin then makes a random per-process key and warns. At least 32 bytes. */
  secretKey: string | undefined;
  /** Earlier signing keys whose tokens still verify until they expire (key rotation); empty when unset. Each at least 32 bytes. */
  previousSecretKeys: string[];
  tokenExpirationMinutes: number;
  /** `<P>_LOCAL_AUTH_TOKEN_API_URL` as given: it must name the login route, which depends on the apiPrefix option (see describeTokenApiUrlProblem). */
  tokenApiUrl?: string;
  /** Advice that does not stop the start. */
  warnings: string[];
  /** To log only when the default user is in force: `ARGILLA_*`/`RUBRIX_*` variables outside `<P>_LOCAL_AUTH_` that look meant for this plugin. */
  defaultUserWarnings: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const prefixed = (prefix: string, setting: Setting): string => `${prefix}_LOCAL_AUTH_${setting}`;
const LOCAL_AUTH = /^(ARGILLA|RUBRIX)_LOCAL_AUTH_(.+)$/is;
/** Names that suggest users, passwords or keys: meant for this plugin, perhaps, when the default user is in force. */
const LOOKS_LIKE_AUTH = /USER|SECRET|KEY|PASSW/i;

function flavourOf(env: Env): Flavour {
  const any = (prefix: string) => SETTINGS.some((setting) => env[prefixed(prefix, setting)] !== undefined);
  return !any('ARGILLA') && any('RUBRIX') ? 'rubrix' : 'argilla';
}

/** Why TOKEN_API_URL does not name this server's login route (`loginPath`, e.g. `/api/security/token`), or undefined when it does. */
export function describeTokenApiUrlProblem(value: string, loginPath: string): string | undefined {
  if (value === loginPath) return undefined;
  // Argilla's clients also accept the full address of the route.
  if (/^https?:\/\//i.test(value) && URL.canParse(value)) {
    const url = new URL(value);
    if (url.pathname === loginPath && url.search === '' && url.hash === '') return undefined;
  }
  return `is ${quoted(value)}, but the login route of this server is POST ${loginPath} (apiPrefix + /security/token). Set it to ${loginPath}, or unset it.`;
}

/** A variable's name as a report shows it: as it is when plain, else quoted with control characters escaped. */
const shownName = (name: string) => (/^[\w.-]{1,80}$/.test(name) ? name : quoted(name));

/** Every problem with the names of the `<P>_LOCAL_AUTH_*` variables: one this plugin does not read must never go unnoticed. */
function unknownVariables(env: Env): Problem[] {
  const problems: Problem[] = [];
  for (const name of Object.keys(env)) {
    const match = LOCAL_AUTH.exec(name);
    if (!match || env[name] === undefined) continue;
    const [, prefix = '', setting = ''] = match;
    const upper = `${prefix.toUpperCase()}_LOCAL_AUTH_${setting.toUpperCase()}`;
    if (name === upper && (SETTINGS as readonly string[]).includes(setting)) continue;
    if (name !== upper && (SETTINGS as readonly string[]).includes(setting.toUpperCase())) {
      problems.push({ where: shownName(name), message: `is not read: variable names are case-sensitive here. Write it as ${upper}.` });
      continue;
    }
    const suggestion = closestName(setting, SETTINGS) ?? closestByWords(setting, SETTINGS);
    const canonicalPrefix = prefix.toUpperCase();
    problems.push({
      where: shownName(name),
      message: suggestion
        ? `is not a known variable. Did you mean ${canonicalPrefix}_LOCAL_AUTH_${suggestion}?`
        : `is not a known variable, so it would have no effect. The variables under ${canonicalPrefix}_LOCAL_AUTH_ are ${SETTINGS.join(', ')}; unset the others.`,
    });
  }
  return problems;
}

/** `ARGILLA_*`/`RUBRIX_*` variables outside `<P>_LOCAL_AUTH_` that mention users, secrets, keys or passwords. */
function lookalikeWarnings(env: Env, variables: Readonly<Record<Setting, string>>, username: string): string[] {
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (!/^(ARGILLA|RUBRIX)_/i.test(name) || LOCAL_AUTH.test(name) || !LOOKS_LIKE_AUTH.test(name) || env[name] === undefined) continue;
    const suggestion = closestByWords(name.replace(/^(ARGILLA|RUBRIX)_/i, ''), SETTINGS);
    const meant = suggestion ? ` If it was meant for this plugin, the name is ${variables[suggestion]}.` : '';
    warnings.push(`${shownName(name)} is set, but express-workspace-auth does not read it, and the default user "${username}" is in force.${meant}`);
  }
  return warnings;
}

/**
 * Reads the `<P>_LOCAL_AUTH_*` variables of an environment (pure: pass `process.env`).
 * Throws a ConfigError listing every problem at once.
 */
export function configFromEnv(env: Env, cwd: string = process.cwd()): EnvConfig {
  const problems: Problem[] = unknownVariables(env);
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

  const flavour = flavourOf(env);
  const variables = Object.fromEntries(SETTINGS.map((setting) => [setting, prefixed(flavour.toUpperCase(), setting)])) as Record<Setting, string>;
  const usersFileVar = read('USERS_DB_FILE');
  const apiKeyVar = read('DEFAULT_APIKEY');
  const passwordVar = read('DEFAULT_PASSWORD');
  const secretVar = read('SECRET_KEY');
  const previousVar = read('PREVIOUS_SECRET_KEYS');
  const expirationVar = read('TOKEN_EXPIRATION_IN_MINUTES');
  const algorithmVar = read('ALGORITHM');
  const tokenApiUrlVar = read('TOKEN_API_URL');

  if (passwordVar) {
    const hashProblem = describeHashProblem(passwordVar.value);
    if (hashProblem) problems.push({ where: passwordVar.name, message: `must be a bcrypt hash, not a password: it ${hashProblem}` });
    else {
      const lowCost = describeLowCost(passwordVar.value);
      if (lowCost) warnings.push(`${passwordVar.name} ${lowCost}`);
    }
  }

  const secretProblem = secretVar && describeSecretKeyProblem(secretVar.value);
  if (secretVar && secretProblem) problems.push({ where: secretVar.name, message: secretProblem });

  // Split on commas alone: each key is used exactly as written, as the current key is (secret-key.ts).
  const previousSecretKeys = previousVar ? previousVar.value.split(',') : [];
  previousSecretKeys.forEach((key, index) => {
    const which = `key ${index + 1} of ${previousSecretKeys.length}`;
    const problem = key === '' ? 'is empty: separate the keys with single commas, with no comma at the end.' : describeSecretKeyProblem(key);
    if (previousVar && problem) problems.push({ where: `${previousVar.name}, ${which}`, message: problem });
  });

  if (algorithmVar && algorithmVar.value !== TOKEN_ALGORITHM) {
    problems.push({
      where: algorithmVar.name,
      message: `is ${quoted(algorithmVar.value)}, but express-workspace-auth signs and checks access tokens with ${TOKEN_ALGORITHM} only. Set it to ${TOKEN_ALGORITHM}, or unset it.`,
    });
  }

  let tokenExpirationMinutes = DEFAULT_TOKEN_EXPIRATION_IN_MINUTES;
  if (expirationVar) {
    tokenExpirationMinutes = Number(expirationVar.value);
    if (!/^\d+$/.test(expirationVar.value) || tokenExpirationMinutes < 1 || !Number.isSafeInteger(tokenExpirationMinutes)) {
      problems.push({ where: expirationVar.name, message: `must be a whole number of minutes, 1 or more (got ${quoted(expirationVar.value)}).` });
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const username = flavour === 'rubrix' ? 'rubrix' : 'argilla';
  return {
    flavour,
    variables,
    usersFile: usersFileVar
      ? { path: path.resolve(cwd, usersFileVar.value), explicit: true }
      : { path: path.resolve(cwd, DEFAULT_USERS_FILE), explicit: false },
    ...(usersFileVar ? { usersFileVariable: usersFileVar.name } : {}),
    defaultUser: {
      user: { username, email: null, full_name: null, disabled: false, workspaces: null, superuser: true },
      hashedPassword: passwordVar?.value ?? DEFAULT_PASSWORD_HASH,
      apiKey: apiKeyVar?.value ?? `${username}.apikey`,
    },
    secretKey: secretVar?.value,
    previousSecretKeys,
    tokenExpirationMinutes,
    ...(tokenApiUrlVar ? { tokenApiUrl: tokenApiUrlVar.value } : {}),
    warnings,
    defaultUserWarnings: lookalikeWarnings(env, variables, username),
  };
}
