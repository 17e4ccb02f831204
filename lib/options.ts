import { randomBytes } from 'node:crypto';
import path from 'node:path';
import passport from 'passport';
import { configFromEnv, DEFAULT_PASSWORD_HASH } from './config';
import { ConfigError } from './errors';
import { sendRefusalJson } from './refusals';
import type { RevocationList } from './revocation-list';
import { signingKeyProblem } from './token-keys';
import type { Authenticator, LoginRateLimitOptions, Logger, RefusalResponder, UserRecord, WorkspaceAuthOptions } from './types';
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
  loginRateLimit: LoginRateLimitOptions;
  logger: Logger;
  realm: string;
  /** Undefined: the process-wide default bound, shared by every instance that leaves it out. */
  maxConcurrentHashes: number | undefined;
  onRefusal: RefusalResponder;
  /** Advice that does not stop the start, to log once. */
  warnings: string[];
  /** Logged only if the default user turns out to be in force (no users file). */
  defaultUserWarning: string;
}

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
      `${env.flavour === 'rubrix' ? 'RUBRIX' : 'ARGILLA'}_LOCAL_AUTH_SECRET_KEY is not set: access tokens are signed with a random key made at start, so they stop working at every restart and other instances refuse them.`,
    );
    secretKey = randomBytes(32).toString('base64url');
  }

  // Until lib/config.ts reads <P>_LOCAL_AUTH_PREVIOUS_SECRET_KEYS (EnvConfig.previousSecretKeys), there is none from the environment.
  const previousSecretKeys = options.previousSecretKeys ?? (env as { previousSecretKeys?: readonly string[] }).previousSecretKeys ?? [];
  checkKeysFromEnv(options, secretKey, previousSecretKeys, options.env ?? process.env);

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
    apiPrefix: options.apiPrefix ?? '/api',
    watch: options.watch ?? true,
    watchIntervalMs: options.watchIntervalMs ?? 500,
    loginRateLimit: options.loginRateLimit ?? {},
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

/**
 * The options' keys are checked by validateOptions; the environment's are checked here (HS256
 * keys must be at least 32 bytes), naming the variable and never echoing a key.
 */
function checkKeysFromEnv(options: Readonly<WorkspaceAuthOptions>, secretKey: string, previous: readonly string[], env: Readonly<Record<string, string | undefined>>): void {
  const variable = (setting: string) => (env[`ARGILLA_LOCAL_AUTH_${setting}`] !== undefined ? 'ARGILLA' : 'RUBRIX') + `_LOCAL_AUTH_${setting}`;
  const problems: Array<{ where: string; message: string }> = [];
  const secretProblem = options.secretKey === undefined ? signingKeyProblem(secretKey) : undefined;
  if (secretProblem) problems.push({ where: variable('SECRET_KEY'), message: secretProblem });
  if (options.previousSecretKeys === undefined) {
    previous.forEach((key, index) => {
      const problem = signingKeyProblem(key);
      if (problem) problems.push({ where: variable('PREVIOUS_SECRET_KEYS'), message: `key ${index + 1} (counting from 1, comma-separated) ${problem}` });
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
