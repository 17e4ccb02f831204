import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import type { Strategy as LocalStrategy } from 'passport-local';
import { createAuthenticate, type Verifiers } from './authenticate';
import { AuthEventEmitter, requestFacts } from './auth-events';
import { AuthenticatedRequests } from './authenticated-requests';
import { createErrorHandler } from './error-handler';
import { createLoginProtection } from './login-protection';
import { refuseRequestAsArgument } from './misuse';
import { parseOptions } from './options';
import { createPasswordVerifier } from './passwords';
import { createRefuse, type Refuse } from './refusals';
import { createWorkspaceGuards, type WorkspaceGuards } from './require-workspace';
import { createRevocationList } from './shared-revocations';
import { createLogoutHandler, createMeHandler, createRouteFilter, createTokenHandler, type RouteParts } from './routes';
import {
  API_KEY_HEADERS,
  createApiKeyStrategy,
  createApiKeyVerifier,
  createBearerStrategy,
  createBearerVerifier,
  createPasswordStrategy,
  type BearerStrategy,
} from './strategies';
import { withTokenAsApiKey } from './token-as-api-key';
import { createTokenService } from './tokens';
import type { Authenticator, WorkspaceAuthOptions, WorkspaceUser } from './types';
import type { UsersIndex } from './users-index';
import { trackStatus, type AuthStatus } from './status';
import { UsersSource } from './users-source';

/** What `workspaceAuth()` returns: a middleware serving the login, logout and `me` routes, with every piece as a member. */
export interface WorkspaceAuth extends WorkspaceGuards {
  (req: Request, res: Response, next: NextFunction): void;
  /** The Passport instance the strategies are registered on. */
  passport: Authenticator;
  /** The Passport strategies, by kind. */
  strategies: { password: LocalStrategy; apiKey: HeaderAPIKeyStrategy[]; bearer: BearerStrategy };
  /** Authenticates by API key or access token; refuses with 401/403 otherwise. */
  authenticate: RequestHandler;
  /** `POST /api/security/token`: body parsing, the failed-login limit, password login, the token. */
  tokenHandler: RequestHandler[];
  /** `POST /api/security/logout`: the Bearer access token presented is refused from then on (204). */
  logoutHandler: RequestHandler[];
  /** `GET /api/me`: the authenticated user without secrets, with the workspaces they may access. */
  meHandler: RequestHandler[];
  /** The user this plugin authenticated for the request (by its `authenticate`), or undefined. */
  userOf(req: Request): WorkspaceUser | undefined;
  /** Refuses a request the plugin's way (headers, then `onRefusal` or the default JSON): for the app's own checks. */
  refuse: Refuse;
  /** Answers the errors the plugin owns (unreadable bodies, malformed URLs); passes every other error on. */
  errorHandler: ErrorRequestHandler;
  /** The users in force now. */
  users(): UsersIndex;
  /** Reads the users file again; rejects with every problem (and keeps the last good users) if it is invalid. */
  reload(): Promise<UsersIndex>;
  /** The users in force, their source, when they were loaded, and the last refused reload. */
  status(): AuthStatus;
  /**
   * Listens for reloads (`reload`, `reload-error`) and what auth does (`login`, `login-failed`,
   * `rate-limited`, `refused`); no payload holds a secret.
   */
  on: AuthEventEmitter['on'];
  once: AuthEventEmitter['once'];
  off: AuthEventEmitter['off'];
  /** Stops watching the users file. */
  close(): void;
}

/**
 * Builds the plugin: loads and watches the users file, registers the strategies, and
 * returns a middleware with the login, logout and `me` routes. Throws at once, with every problem,
 * if the configuration or the users file is wrong.
 */
export function workspaceAuth(options: Readonly<WorkspaceAuthOptions> = {}): WorkspaceAuth {
  refuseRequestAsArgument(options, {
    factory: 'workspaceAuth',
    written: 'app.use(workspaceAuth)',
    intended: 'app.use(workspaceAuth())',
    advice: 'Build the plugin once, at start, and mount what it returns: const auth = workspaceAuth({ usersFile: ".users.yml" }); app.use(auth);',
  });
  const config = parseOptions(options);
  const { logger } = config;
  for (const warning of config.warnings) logger.warn(warning);

  const source = new UsersSource({
    file: config.usersFile.path,
    explicit: config.usersFile.explicit,
    defaultUser: config.defaultUser,
    watch: config.watch,
    watchIntervalMs: config.watchIntervalMs,
    logger,
    defaultUserWarnings: config.defaultUserWarnings,
    ...(config.usersFileNamedBy !== undefined && { fileNamedBy: config.usersFileNamedBy }),
  });
  if (source.usingDefaultUser) logger.warn(config.defaultUserWarning);
  const events = new AuthEventEmitter(logger);
  source.on('reload', (users) => {
    logger.info(`Reloaded ${users.size} users from ${users.source}.`);
    events.tell('reload', users);
  });
  source.on('reload-error', (error) => {
    logger.error(`Refused the changed users file; the last good users stay in force.\n${error.message}`);
    events.tell('reload-error', error);
  });
  const status = trackStatus(source, events);

  const getUsers = () => source.current;
  const tokens = createTokenService({
    secretKey: config.secretKey,
    previousSecretKeys: config.previousSecretKeys,
    expirationMinutes: config.tokenExpirationMinutes,
    audience: config.realm,
  });
  const authenticated = new AuthenticatedRequests();
  const refuse = createRefuse(config.realm, config.onRefusal, (req, { status, code }, details) => {
    const username = authenticated.userOf(req)?.username;
    events.tell('refused', { code, status, ...requestFacts(req), ...(username && { username }), ...(details?.workspace && { workspace: details.workspace }) });
  });
  const protection = createLoginProtection(config, getUsers, refuse, (req, kind) => events.tell('rate-limited', { kind, ip: requestFacts(req).ip }));
  // The revocationList option, else Redis when the redis option is given, else this process's memory.
  const shared = config.revocationList ? { store: config.revocationList, report: logger } : protection.sharedRevocations;
  const revocations = createRevocationList(shared?.store, shared?.report ?? logger);
  const verifyBearer = createBearerVerifier(getUsers, tokens, revocations);
  const verifiers: Verifiers = { apiKey: withTokenAsApiKey(createApiKeyVerifier(getUsers), verifyBearer), bearer: verifyBearer };
  const strategies = {
    password: createPasswordStrategy(getUsers, createPasswordVerifier(config.maxConcurrentHashes)),
    apiKey: API_KEY_HEADERS.map((header) => createApiKeyStrategy(header, verifiers.apiKey)),
    bearer: createBearerStrategy(verifiers.bearer),
  };
  for (const strategy of [strategies.password, ...strategies.apiKey, strategies.bearer]) config.passport.use(strategy.name as string, strategy);

  const authenticate = createAuthenticate(verifiers, refuse, authenticated, protection.authenticateGuard);
  const errorHandler = createErrorHandler(refuse);
  const parts: RouteParts = {
    passport: config.passport,
    events,
    tokens,
    refuse,
    authenticate,
    authenticated,
    getUsers,
    loginGuard: protection.loginGuard,
    revocations,
  };
  const tokenHandler = createTokenHandler(parts);
  const meHandler = createMeHandler(parts);
  const logoutHandler = createLogoutHandler(parts);
  // A private router: Express's own path matching, with none of its members reachable from `auth`.
  const router = express.Router();
  router.post(`${config.apiPrefix}/security/token`, ...tokenHandler);
  router.post(`${config.apiPrefix}/security/logout`, ...logoutHandler);
  router.get(`${config.apiPrefix}/me`, ...meHandler);
  router.use(errorHandler);
  const mayBeForRoutes = createRouteFilter(config.apiPrefix);
  const serveRoutes = function workspaceAuthRoutes(req: Request, res: Response, next: NextFunction): void {
    protection.checkTrustProxy(req);
    if (mayBeForRoutes(req.url)) router(req, res, next);
    else next();
  };

  return Object.assign(serveRoutes, {
    passport: config.passport,
    strategies,
    authenticate,
    tokenHandler,
    logoutHandler,
    meHandler,
    userOf: (req: Request) => authenticated.userOf(req),
    refuse,
    ...createWorkspaceGuards(getUsers, authenticated, refuse),
    errorHandler,
    users: getUsers,
    reload: () => source.reload(),
    status,
    on: events.on.bind(events),
    once: events.once.bind(events),
    off: events.off.bind(events),
    close: () => {
      source.close();
      protection.close();
    },
  });
}
