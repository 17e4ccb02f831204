import { closestName } from '../util/did-you-mean';
import { ConfigError, type Problem } from '../errors';
import { redisKindOf } from '../store/redis-client';
import { describeSecretKeyProblem } from './secret-key';
import { describeUserPropertyProblem } from './user-property';
import type { KeyAndTokenRateLimitOptions, LoginQueueOptions, LoginRateLimitOptions, WorkspaceAuthOptions } from '../types';

/** The problems of one option's value, each a sentence that names the option; empty when it is fine. */
type Check = (value: unknown, name: string) => string[];

/** A value as a message shows it; strings are quoted and cut short, other values are named by kind. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') {
    if (value === '') return 'an empty string';
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  }
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  const className = (value as object | undefined)?.constructor?.name;
  if (typeof value === 'object' && className && className !== 'Object') return `a ${className}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Advice for a number or boolean written in quotes, the usual slip when options come from strings. */
function unquoteHint(value: unknown, name: string, wanted: 'number' | 'boolean'): string {
  if (typeof value !== 'string') return '';
  const looksRight = wanted === 'number' ? /^\s*\d+\s*$/.test(value) : value === 'true' || value === 'false';
  return looksRight ? ` Write it without quotes: ${name}: ${value.trim()}.` : '';
}

const nonEmptyString =
  (example: string): Check =>
  (value, name) =>
    typeof value === 'string' && value !== '' ? [] : [`${name} must be a non-empty string, not ${describe(value)}. For example ${example}.`];

const wholeNumber =
  (unit: string): Check =>
  (value, name) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 1
      ? []
      : [`${name} must be a whole number of ${unit}, 1 or more, not ${describe(value)}.${unquoteHint(value, name, 'number')}`];

const boolean: Check = (value, name) =>
  typeof value === 'boolean' ? [] : [`${name} must be true or false, not ${describe(value)}.${unquoteHint(value, name, 'boolean')}`];

/** The methods an object must have; lists the missing ones. */
function missingMethods(value: unknown, methods: readonly string[]): string[] {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return [...methods];
  return methods.filter((method) => typeof (value as Record<string, unknown>)[method] !== 'function');
}

const env: Check = (value, name) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${name} must be an object of environment variables, such as process.env, not ${describe(value)}.`];
  }
  return Object.entries(value)
    .filter(([, variable]) => variable !== undefined && typeof variable !== 'string')
    .map(([variable, content]) => `${name}.${variable} must be a string, as in process.env, not ${describe(content)}.`);
};

const passport: Check = (value, name) =>
  missingMethods(value, ['use', 'authenticate']).length === 0
    ? []
    : [`${name} must be a Passport instance: \`passport\` itself (import passport from 'passport') or \`new passport.Passport()\`, not ${describe(value)}.`];

// Our routes are `${apiPrefix}/security/token` and `${apiPrefix}/me`.
const apiPrefix: Check = (value, name) =>
  typeof value === 'string' && /^(\/[^/\s]+)*$/.test(value)
    ? []
    : [`${name} must be a path such as "/api" or "/auth/v1": starting with "/", with no trailing "/" (or "" for the root), not ${describe(value)}.`];

const logger: Check = (value, name) => {
  const missing = missingMethods(value, ['info', 'warn', 'error']);
  if (missing.length === 0) return [];
  return [`${name} must have the methods info, warn and error (console fits); ${describe(value)} lacks ${missing.join(', ')}.`];
};

// It is sent in `WWW-Authenticate: Bearer realm="..."`: a quote or line break would break the header of every 401.
const realm: Check = (value, name) =>
  typeof value === 'string' && /^[\x20-\x7e]+$/.test(value) && !/["\\]/.test(value)
    ? []
    : [`${name} must be a non-empty string of printable ASCII characters without " or \\ (it goes into the WWW-Authenticate header), not ${describe(value)}.`];

// The key itself is never shown: only its length.
const signingKey: Check = (value, name) => {
  if (typeof value !== 'string') return [`${name} must be a non-empty string, not ${describe(value)}. For example ${name}: process.env.ARGILLA_LOCAL_AUTH_SECRET_KEY.`];
  const problem = describeSecretKeyProblem(value);
  return problem ? [`${name} ${problem}`] : [];
};

const signingKeys: Check = (value, name) => {
  if (!Array.isArray(value)) return [`${name} must be an array of former signing keys (strings), not ${describe(value)}. For example ${name}: ['the-old-key...'].`];
  return value.flatMap((key, index) => signingKey(key, `${name}[${index}]`));
};

const revocationList: Check = (value, name) => {
  const missing = missingMethods(value, ['revoke', 'isRevoked']);
  return missing.length === 0 ? [] : [`${name} must have the methods revoke and isRevoked (the RevocationList interface); ${describe(value)} lacks ${missing.join(', ')}.`];
};

// Counting windows are whole seconds in rate-limiter-flexible; under one second Redis would keep the count forever.
const windowMs: Check = (value, name) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1000
    ? []
    : [`${name} must be a whole number of milliseconds, 1000 (one second) or more, not ${describe(value)}.${unquoteHint(value, name, 'number')}`];

/** An options object whose fields each have a check; `formerNames` point old names to new ones. */
const optionsObject =
  (checks: Record<string, Check>, example: string, formerNames: Record<string, string> = {}): Check =>
  (value, name) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return [`${name} must be an object such as ${example}, not ${describe(value)}.`];
    }
    return checkFields(value as Record<string, unknown>, checks, name, formerNames);
  };

const RATE_LIMIT_CHECKS: { [Name in keyof LoginRateLimitOptions]-?: Check } & { store: Check } = {
  windowMs,
  limit: wholeNumber('failed logins'),
  clientLimit: wholeNumber('failed logins'),
  // express-rate-limit's store, which counted every login as it arrived: refused with the way to share counts now.
  store: (_value, name) => [
    `${name} is no longer supported: failed logins are counted with rate-limiter-flexible. To share the counts between instances, pass your Redis client as the redis option: workspaceAuth({ redis: new Redis(process.env.REDIS_URL) }).`,
  ],
};

const KEY_AND_TOKEN_CHECKS: { [Name in keyof KeyAndTokenRateLimitOptions]-?: Check } = {
  windowMs,
  limit: wholeNumber('invalid API keys and tokens'),
};

const shareOfTheLine =
  (holder: string): Check =>
  (value, name) =>
    typeof value === 'number' && value > 0 && value <= 1
      ? []
      : [`${name} must be a number above 0 and at most 1 (0.5: one ${holder} may hold half of the line), not ${describe(value)}.${unquoteHint(value, name, 'number')}`];

const LOGIN_QUEUE_CHECKS: { [Name in keyof LoginQueueOptions]-?: Check } = {
  maxWaitMs: wholeNumber('milliseconds'),
  clientShare: shareOfTheLine('client'),
  accountShare: shareOfTheLine('account'),
};

const redis: Check = (value, name) => {
  const kind = redisKindOf(value);
  if (typeof kind === 'string') return [];
  const url = typeof value === 'string' ? ' Pass a client, not a URL.' : '';
  return [
    `${name} must be a Redis client, ioredis (new Redis(process.env.REDIS_URL)) or node-redis 4+ (createClient({ url }), connected), not ${describe(value)}: ${kind.problem}.${url}`,
  ];
};

/** One check per option: the type makes a new option in WorkspaceAuthOptions fail to compile until it has one. */
const OPTION_CHECKS: { [Name in keyof WorkspaceAuthOptions]-?: Check } = {
  usersFile: nonEmptyString('usersFile: ".users.yml"'),
  // Each entry is checked as the users file's are, with the users (users-source.ts).
  users: (value, name) =>
    Array.isArray(value)
      ? []
      : [`${name} must be an array of users with the users file's fields, such as [{ username: 'jane', hashed_password: '$2b$12$...', api_key: '...' }], not ${describe(value)}.`],
  secretKey: signingKey,
  previousSecretKeys: signingKeys,
  revocationList,
  tokenExpirationMinutes: wholeNumber('minutes'),
  env,
  cwd: nonEmptyString('cwd: process.cwd()'),
  passport,
  apiPrefix,
  userProperty: (value, name) => {
    const problem = value === false ? undefined : describeUserPropertyProblem(value, describe(value));
    return problem ? [`${name} ${problem}`] : [];
  },
  watch: boolean,
  watchIntervalMs: wholeNumber('milliseconds'),
  loginRateLimit: optionsObject(RATE_LIMIT_CHECKS, '{ windowMs: 900000, limit: 10, clientLimit: 100 }', { max: 'limit' }),
  logger,
  realm,
  maxConcurrentHashes: wholeNumber('bcrypt hashes at once'),
  onRefusal: (value, name) =>
    typeof value === 'function' ? [] : [`${name} must be a function (req, res, next, refusal) that answers the refusal, not ${describe(value)}.`],
  keyAndTokenRateLimit: optionsObject(KEY_AND_TOKEN_CHECKS, '{ windowMs: 900000, limit: 100 }', { max: 'limit' }),
  loginQueue: optionsObject(LOGIN_QUEUE_CHECKS, '{ maxWaitMs: 1500, clientShare: 0.5, accountShare: 0.5 }'),
  redis,
  redisKeyPrefix: nonEmptyString('redisKeyPrefix: "my-app:auth:"'),
};

/**
 * Checks every field of an options object, and names unknown ones with the likely intended
 * name. `undefined` means "use the default", as it does for the plugin.
 * `formerNames`: names other libraries use for one of ours (express-rate-limit's `max`).
 */
function checkFields(
  fields: Record<string, unknown>,
  checks: Record<string, Check>,
  prefix: string,
  formerNames: Record<string, string> = {},
): string[] {
  const known = Object.keys(checks);
  const qualified = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
  const problems: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    const check = Object.hasOwn(checks, name) ? checks[name] : undefined;
    if (!check) {
      const suggestion = Object.hasOwn(formerNames, name) ? formerNames[name] : closestName(name, known);
      const advice = suggestion ? `Did you mean ${qualified(suggestion)}?` : `The options are: ${known.join(', ')}.`;
      problems.push(`Unknown option ${qualified(name)}. ${advice}`);
    } else if (value !== undefined) {
      problems.push(...check(value, qualified(name)));
    }
  }
  return problems;
}

/** Options that apply to a users file only, given with the `users` option, which replaces the file. */
function usersOptionConflicts(options: Readonly<WorkspaceAuthOptions>): string[] {
  if (options.users === undefined) return [];
  const fileOnly: string[] = [];
  if (options.usersFile !== undefined) fileOnly.push('usersFile');
  if (options.watch === true) fileOnly.push('watch: true');
  if (options.watchIntervalMs !== undefined) fileOnly.push('watchIntervalMs');
  return fileOnly.map((given) => `${given} applies to a users file, and the users option replaces the file: give one of the two (users are held in memory, never read nor watched).`);
}

/**
 * Checks the options of `workspaceAuth()` before anything is built. Throws a ConfigError that
 * lists every problem at once, each saying how to fix it.
 */
export function validateOptions(options: unknown): asserts options is Readonly<WorkspaceAuthOptions> {
  let problems: string[];
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const example = typeof options === 'string' ? `workspaceAuth({ usersFile: ${JSON.stringify(options)} })` : `workspaceAuth({ usersFile: '.users.yml' })`;
    problems = [`workspaceAuth() takes an options object, not ${describe(options)}. Write ${example}, or workspaceAuth() for the defaults.`];
  } else {
    problems = checkFields(options as Record<string, unknown>, OPTION_CHECKS, '');
    problems.push(...usersOptionConflicts(options as Readonly<WorkspaceAuthOptions>));
  }
  if (problems.length > 0) {
    throw new ConfigError(problems.map((message): Problem => ({ where: 'workspaceAuth()', message })));
  }
}
