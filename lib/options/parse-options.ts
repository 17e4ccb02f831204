import { randomBytes } from 'node:crypto';
import path from 'node:path';
import passport from 'passport';
import { configFromEnv, DEFAULT_PASSWORD_HASH, describeTokenApiUrlProblem } from './environment';
import { ConfigError } from '../errors';
import type { AuthSettings } from '../auth/auth';
import type { HttpSettings } from '../http/http';
import type { ProtectionSettings } from '../protection/protection';
import type { StoreSettings } from '../store/store';
import type { UsersSourceOptions } from '../users/users-source';
import { sendRefusalJson } from '../refusals';
import type { Authenticator, Logger, RefusalResponder, WorkspaceAuthOptions } from '../types';
import { safeLogger } from '../util/safe-logger';
import { validateOptions } from './validate-options';

/** Everything `workspaceAuth()` needs, resolved once: options checked, the environment merged, every default applied, in one slice per folder. */
export interface Configuration {
  users: UsersSourceOptions;
  store: StoreSettings;
  auth: AuthSettings;
  protection: ProtectionSettings;
  passport: Authenticator;
  http: HttpSettings;
  logger: Logger;
  realm: string;
  onRefusal: RefusalResponder;
  /** Advice that does not stop the start, to log once. */
  warnings: string[];
}

/**
 * How often the watcher checks the file by default. A change is put in force at the second
 * check that reads it unchanged, so within two intervals (1 s) of the end of a save, inside
 * the contract's 2 seconds.
 */
export const DEFAULT_WATCH_INTERVAL_MS = 500;

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
  const usersFile = options.usersFile === undefined ? env.usersFile : { path: path.resolve(cwd, options.usersFile), explicit: true };
  // Wrapped once here, so that no logger the app passes can throw or reject at any of the plugin's calls.
  const logger = safeLogger(options.logger ?? prefixedConsole);
  const realm = options.realm ?? 'express-workspace-auth';
  // What named the users file, for the advice when it is missing.
  const fileNamedBy = options.usersFile !== undefined ? 'the usersFile option' : env.usersFileVariable;
  return {
    users: {
      file: usersFile.path,
      explicit: usersFile.explicit,
      defaultUser: env.defaultUser,
      ...(options.users !== undefined && { entries: options.users }),
      watch: options.watch ?? true,
      watchIntervalMs: options.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS,
      logger,
      defaultUserWarnings: [
        ...env.defaultUserWarnings,
        `No users file at ${usersFile.path}: the default super-user "${defaultName}" is in force` +
          (documented ? ` with the documented password 1234 and API key ${defaultName}.apikey. Change them,` : '.') +
          ' or create a users file.',
      ],
      ...(fileNamedBy !== undefined && { fileNamedBy }),
    },
    store: { redis: options.redis, redisKeyPrefix: options.redisKeyPrefix ?? 'express-workspace-auth:', revocationList: options.revocationList, logger },
    auth: {
      tokens: {
        secretKey,
        previousSecretKeys,
        expirationMinutes: options.tokenExpirationMinutes ?? env.tokenExpirationMinutes,
        audience: realm,
      },
      ownHashBound: options.maxConcurrentHashes,
    },
    protection: {
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
        accountShare: options.loginQueue?.accountShare ?? 0.5,
      },
      logger,
    },
    passport: options.passport ?? new passport.Passport(),
    http: { apiPrefix, userProperty: options.userProperty ?? 'user' },
    logger,
    realm,
    onRefusal: options.onRefusal ?? sendRefusalJson,
    warnings,
  };
}
