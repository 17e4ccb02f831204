import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import passport from 'passport';
import type { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import type { Strategy as LocalStrategy } from 'passport-local';
import { createAuthenticate, type Authenticator } from './authenticate';
import { configFromEnv, DEFAULT_PASSWORD_HASH } from './config';
import { isRefusal, sendRefusal } from './errors';
import { createLoginLimiter, type LoginRateLimitOptions } from './login-limiter';
import { createPasswordVerifier } from './passwords';
import { reportMiddlewareMisuse } from './middleware-misuse';
import { createRequireWorkspace, judgeWorkspace } from './require-workspace';
import {
  API_KEY_HEADERS,
  createApiKeyStrategy,
  createBearerStrategy,
  createPasswordStrategy,
  STRATEGY_NAMES,
  type BearerStrategy,
} from './strategies';
import { createTokenService } from './tokens';
import type { Logger, WorkspaceUser } from './types';
import type { UsersIndex } from './users-index';
import { UsersSource } from './users-source';
import { validateOptions } from './validate-options';

/** Options of `workspaceAuth()`. Each one left out is read from the environment (`ARGILLA_LOCAL_AUTH_*`, else `RUBRIX_LOCAL_AUTH_*`). */
export interface WorkspaceAuthOptions {
  /** The users file. Default: `<P>_LOCAL_AUTH_USERS_DB_FILE`, else `.users.yml` in `cwd` (which alone may be missing). */
  usersFile?: string;
  /** Key that signs access tokens. Default: `<P>_LOCAL_AUTH_SECRET_KEY`, else a random key per process (with a warning). */
  secretKey?: string;
  /** Access-token lifetime in minutes. Default: `<P>_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES`, else 30000. */
  tokenExpirationMinutes?: number;
  /** The environment to read. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where relative paths start. Default: `process.cwd()`. */
  cwd?: string;
  /** The Passport instance to register the strategies on. Default: a private one, so the app's own Passport setup is untouched. */
  passport?: Authenticator;
  /** Where the routes are mounted. Default: `/api` (`/api/security/token`, `/api/me`). */
  apiPrefix?: string;
  /** Reload the users file when it changes. Default: true. */
  watch?: boolean;
  /** How often the users file is checked for changes, in milliseconds. Default: 500. */
  watchIntervalMs?: number;
  /** Limits on failed logins. Default: 10 per username and client per 15 minutes, in memory. */
  loginRateLimit?: LoginRateLimitOptions;
  /** Where warnings and reload reports go. Default: `console`. */
  logger?: Logger;
  /** The realm of `WWW-Authenticate` challenges. Default: `express-workspace-auth`. */
  realm?: string;
  /**
   * At most this many bcrypt password checks at once for this instance's logins; the rest wait
   * in line. Default: the number of cores less one (at least 1), a bound shared by every instance
   * that leaves this out, so a burst of logins leaves a core to the requests with API keys and
   * tokens. Above libuv's thread pool (`UV_THREADPOOL_SIZE`, 4 by default) it bounds nothing more.
   */
  maxConcurrentHashes?: number;
}

/** What `workspaceAuth()` returns: a router to `app.use()`, with every piece exposed. */
export interface WorkspaceAuth extends Router {
  /** The Passport instance the strategies are registered on. */
  passport: Authenticator;
  /** The Passport strategies, by kind. */
  strategies: { password: LocalStrategy; apiKey: HeaderAPIKeyStrategy[]; bearer: BearerStrategy };
  /** Authenticates by API key or access token, sets `req.user`; JSON 401/403 otherwise. */
  authenticate: RequestHandler;
  /** `POST /api/security/token`: body parsing, the failed-login limit, password login, the token. */
  tokenHandler: RequestHandler[];
  /** `GET /api/me`: the authenticated user without secrets, with the workspaces they may access. */
  meHandler: RequestHandler[];
  /** Selects and checks the request's workspace; `requireWorkspace('name')` guards one workspace. */
  requireWorkspace: (workspace?: string) => RequestHandler;
  /** Whether the user may access the workspace now, by requireWorkspace's rules: for a second workspace in one request (the target of a copy). */
  canAccess: (user: Pick<WorkspaceUser, 'username'> | undefined, workspace: string) => boolean;
  /** Answers errors of the request itself (unreadable body or URL, too large: any 4xx) as JSON; passes other errors on. */
  errorHandler: ErrorRequestHandler;
  /** The users in force now. */
  users: () => UsersIndex;
  /** Reads the users file again; rejects with every problem (and keeps the last good users) if it is invalid. */
  reload: () => Promise<UsersIndex>;
  /** Listens for reloads (`reload`, with the new users) and refused files (`reload-error`, with every problem). */
  on: UsersSource['on'];
  once: UsersSource['once'];
  off: UsersSource['off'];
  /** Stops watching the users file. */
  close: () => void;
}

const prefixedConsole: Logger = {
  info: (message) => console.info(`[express-workspace-auth] ${message}`),
  warn: (message) => console.warn(`[express-workspace-auth] ${message}`),
  error: (message) => console.error(`[express-workspace-auth] ${message}`),
};

/**
 * Errors that blame the request carry a 4xx status (body-parser's, Express's for a malformed
 * %-escape in a path): answered as JSON, never Express's HTML page with a stack trace.
 * Anything else is the app's to handle.
 */
function createRequestErrorHandler(realm: string): ErrorRequestHandler {
  return function requestErrorHandler(error: { status?: unknown; statusCode?: unknown } | null, _req, res, next) {
    const status = error?.status ?? error?.statusCode;
    if (res.headersSent || typeof status !== 'number' || status < 400 || status >= 500) return next(error);
    sendRefusal(res, status === 413 ? 'payload_too_large' : 'invalid_request', realm);
  };
}

export function toPublicUser(user: WorkspaceUser, users: UsersIndex) {
  return {
    username: user.username,
    email: user.email,
    full_name: user.full_name,
    disabled: user.disabled,
    workspaces: users.workspacesOf(user),
    superuser: user.superuser,
  };
}

/** `app.use(workspaceAuth)`: Express then calls the factory itself with (req, res, next). */
const USED_UNCALLED = {
  factory: 'workspaceAuth',
  written: 'app.use(workspaceAuth)',
  intended: 'app.use(workspaceAuth())',
  advice: 'Build the plugin once, at start, and mount what it returns: const auth = workspaceAuth({ usersFile: ".users.yml" }); app.use(auth);',
};

/**
 * Builds the plugin: loads and watches the users file, registers the strategies, and
 * returns a router with the login and `me` routes. Throws at once, with every problem,
 * if the configuration or the users file is wrong.
 */
export function workspaceAuth(options: Readonly<WorkspaceAuthOptions> = {}): WorkspaceAuth {
  // Express ignores what a middleware returns.
  if (reportMiddlewareMisuse(arguments, USED_UNCALLED)) return undefined as never;
  validateOptions(options);
  const logger = options.logger ?? prefixedConsole;
  const realm = options.realm ?? 'express-workspace-auth';
  const env = configFromEnv(options.env ?? process.env, options.cwd);
  for (const warning of env.warnings) logger.warn(warning);

  const source = new UsersSource({
    file: options.usersFile === undefined ? env.usersFile.path : path.resolve(options.cwd ?? process.cwd(), options.usersFile),
    explicit: options.usersFile !== undefined || env.usersFile.explicit,
    defaultUser: env.defaultUser,
    watch: options.watch ?? true,
    watchIntervalMs: options.watchIntervalMs ?? 500,
  });
  const defaultName = env.defaultUser.user.username;
  if (source.usingDefaultUser) {
    const documented = env.defaultUser.hashedPassword === DEFAULT_PASSWORD_HASH && env.defaultUser.apiKey === `${defaultName}.apikey`;
    logger.warn(
      `No users file at ${env.usersFile.path}: the default super-user "${defaultName}" is in force` +
        (documented ? ` with the documented password 1234 and API key ${defaultName}.apikey. Change them,` : '.') +
        ' or create a users file.',
    );
  }
  source.on('reload', (users) => logger.info(`Reloaded ${users.size} users from ${users.source}.`));
  source.on('reload-error', (error) => logger.error(`Refused the changed users file; the last good users stay in force.\n${error.message}`));

  let secretKey = options.secretKey ?? env.secretKey;
  if (secretKey === undefined) {
    logger.warn(
      'ARGILLA_LOCAL_AUTH_SECRET_KEY is not set: access tokens are signed with a random key made at start, so they stop working at every restart and other instances refuse them.',
    );
    secretKey = randomBytes(32).toString('base64url');
  }
  const tokens = createTokenService(secretKey, options.tokenExpirationMinutes ?? env.tokenExpirationMinutes);

  const getUsers = () => source.current;
  const authenticator = options.passport ?? new passport.Passport();
  const strategies = {
    password: createPasswordStrategy(getUsers, createPasswordVerifier(options.maxConcurrentHashes)),
    apiKey: API_KEY_HEADERS.map((header) => createApiKeyStrategy(header, getUsers)),
    bearer: createBearerStrategy(getUsers, tokens),
  };
  for (const strategy of [strategies.password, ...strategies.apiKey, strategies.bearer]) authenticator.use(strategy.name as string, strategy);

  const authenticate = createAuthenticate(authenticator, realm);
  const errorHandler = createRequestErrorHandler(realm);

  const login: RequestHandler = function login(req, res, next) {
    authenticator.authenticate(STRATEGY_NAMES.password, { session: false }, (error: unknown, user: WorkspaceUser | false, info: unknown) => {
      if (error) return next(error);
      // passport-local refuses missing fields itself, with a plain message and status 400.
      if (!user) return sendRefusal(res, isRefusal(info) ? info.code : 'missing_login_fields', realm);
      res.set('Cache-Control', 'no-store');
      res.json({ access_token: tokens.issue(user.username), token_type: 'bearer' });
    })(req, res, next);
  };
  const tokenHandler: RequestHandler[] = [
    express.json({ limit: '16kb' }),
    express.urlencoded({ extended: false, limit: '16kb' }),
    createLoginLimiter(options.loginRateLimit ?? {}, realm),
    login,
  ];
  const meHandler: RequestHandler[] = [
    authenticate,
    function me(req, res) {
      res.json(toPublicUser(req.user as WorkspaceUser, source.current));
    },
  ];

  const apiPrefix = options.apiPrefix ?? '/api';
  const router = express.Router();
  router.post(`${apiPrefix}/security/token`, ...tokenHandler);
  router.get(`${apiPrefix}/me`, ...meHandler);
  router.use(errorHandler);

  return Object.assign(router, {
    passport: authenticator,
    strategies,
    authenticate,
    tokenHandler,
    meHandler,
    requireWorkspace: createRequireWorkspace(getUsers, realm),
    canAccess: (user: Pick<WorkspaceUser, 'username'> | undefined, workspace: string) =>
      !('refuse' in judgeWorkspace(source.current, user, () => workspace)),
    errorHandler,
    users: getUsers,
    reload: () => source.reload(),
    on: source.on.bind(source),
    once: source.once.bind(source),
    off: source.off.bind(source),
    close: () => source.close(),
  }) as WorkspaceAuth;
}
