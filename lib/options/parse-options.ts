import { randomBytes } from 'node:crypto';
import path from 'node:path';
import passport from 'passport';
import { configFromEnv, DEFAULT_PASSWORD_HASH, describeTokenApiUrlProblem } from './environment';
import { ConfigError } from '../errors';
import { DEFAULT_WATCH_INTERVAL_MS } from '../users/users-source';
import { sendRefusalJson } from '../refusals';
import type { RedisClient } from '../store/redis-client';
import type { RevocationList } from '../store/revocation-list';
import type {
  Authenticator,
  KeyAndTokenRateLimitOptions,
  LoginQueueOptions,
  LoginRateLimitOptions,
  Logger,
  RefusalResponder,
  UserRecord,
  WorkspaceAuthOptions,
} from '../types';
import { validateOptions } from './validate-options';

/** Everything `workspaceAuth()` needs, resolved once: options checked, the environment merged, every default applied. */
export interface Configuration {
  usersFile: { path: string; explicit: boolean };
  /** The user of an instance whose implicit users file does not exist. */
  defaultUser: UserRecord;
  secretKey: string;
  /** Former signing keys whose tokens still verify. */
  previousSecretKeys: readonly string[];
  /** The shared list of logged-out tokens, if any; memory is always used too. */
  revocationList: RevocationList | undefined;
  tokenExpirationMinutes: number;
  passport: Authenticator;
  apiPrefix: string;
  watch: boolean;
  watchIntervalMs: number;
  loginRateLimit: Required<LoginRateLimitOptions>;
  keyAndTokenRateLimit: Required<KeyAndTokenRateLimitOptions>;
  loginQueue: Required<LoginQueueOptions>;
  redis: RedisClient | undefined;
  redisKeyPrefix: string;
  logger: Logger;
  realm: string;
  /** Undefined: the process-wide default bound, shared by every instance that leaves it out. */
  maxConcurrentHashes: number | undefined;
  onRefusal: RefusalResponder;
  /** Logged only if the default user turns out to be in force: variables that look meant for this plugin. */
  defaultUserWarnings: readonly string[];
  /** What named the users file, for the advice when it is missing. */
  usersFileNamedBy: string | undefined;
  /** Advice that does not stop the start, to log once. */
  warnings: string[];
  /** Logged only if the default user turns out to be in force (no users file). */
  defaultUserWarning: string;
}

const FIFTEEN_MINUTES_MS = 15 * 60 * 1000;
// A flood of logins is answered within 2 seconds (issue 15), this and the check in progress included.
const DEFAULT_LOGIN_MAX_WAIT_MS = 1500;

const prefixedConsole: Logger = {
  info: (message) => console.info(`[express-workspace-auth] ${message}`),
  warn: (message) => console.warn(`[express-workspace-auth] ${message}`),
  error: (message) => console.error(`[express-workspace-auth] ${message}`),
};

/** Checks the options, merges the environment, applies every default. Throws a ConfigError listing every problem. */
export function parseOptions(passed: unknown): Configuration {
  validateOptions(passed);
  const options: Readonly<WorkspaceAuthOptions> = passed ?? {};
  const cwd = options.cwd ?? process.cwd();
  const env = configFromEnv(options.env ?? process.env, cwd);
  const warnings = [...env.warnings];

  let secretKey = options.secretKey ?? env.secretKey;
  if (secretKey === undefined) {
    warnings.push(
      `${env.variables.SECRET_KEY} is not set: access tokens are signed with a random key made at start, so they stop working at every restart and other instances refuse them.`,
    );
    secretKey = randomBytes(32).toString('base64url');
  }

  // Keys are checked where they come from: options by validateOptions, variables by configFromEnv.
  const previousSecretKeys = options.previousSecretKeys ?? env.previousSecretKeys;
  const apiPrefix = options.apiPrefix ?? '/api';
  const tokenApiUrlProblem = env.tokenApiUrl === undefined ? undefined : describeTokenApiUrlProblem(env.tokenApiUrl, `${apiPrefix}/security/token`);
  if (tokenApiUrlProblem) throw new ConfigError([{ where: env.variables.TOKEN_API_URL, message: tokenApiUrlProblem }]);

  const defaultName = env.defaultUser.user.username;
  const documented = env.defaultUser.hashedPassword === DEFAULT_PASSWORD_HASH && env.defaultUser.apiKey === `${defaultName}.apikey`;
  return {
    usersFile: options.usersFile === undefined ? env.usersFile : { path: path.resolve(cwd, options.usersFile), explicit: true },
    defaultUser: env.defaultUser,
    secretKey,
    previousSecretKeys,
    revocationList: options.revocationList,
    tokenExpirationMinutes: options.tokenExpirationMinutes ?? env.tokenExpirationMinutes,
    passport: options.passport ?? new passport.Passport(),
    apiPrefix,
    watch: options.watch ?? true,
    watchIntervalMs: options.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS,
    defaultUserWarnings: env.defaultUserWarnings,
    usersFileNamedBy: options.usersFile !== undefined ? 'the usersFile option' : env.usersFileVariable,
    loginRateLimit: {
      windowMs: options.loginRateLimit?.windowMs ?? FIFTEEN_MINUTES_MS,
      limit: options.loginRateLimit?.limit ?? 10,
      clientLimit: options.loginRateLimit?.clientLimit ?? 100,
    },
    keyAndTokenRateLimit: {
      windowMs: options.keyAndTokenRateLimit?.windowMs ?? FIFTEEN_MINUTES_MS,
      limit: options.keyAndTokenRateLimit?.limit ?? 100,
    },
    loginQueue: {
      maxWaitMs: options.loginQueue?.maxWaitMs ?? DEFAULT_LOGIN_MAX_WAIT_MS,
      clientShare: options.loginQueue?.clientShare ?? 0.5,
    },
    redis: options.redis,
    redisKeyPrefix: options.redisKeyPrefix ?? 'express-workspace-auth:',
    logger: options.logger ?? prefixedConsole,
    realm: options.realm ?? 'express-workspace-auth',
    maxConcurrentHashes: options.maxConcurrentHashes,
    onRefusal: options.onRefusal ?? sendRefusalJson,
    warnings,
    defaultUserWarning:
      `No users file at ${env.usersFile.path}: the default super-user "${defaultName}" is in force` +
      (documented ? ` with the documented password 1234 and API key ${defaultName}.apikey. Change them,` : '.') +
      ' or create a users file.',
  };
}
