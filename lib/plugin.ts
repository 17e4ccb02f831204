import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { createAuth } from './auth/auth';
import type { BearerStrategy } from './auth/bearer';
import { createHttp } from './http/http';
import { AuthEventEmitter, refusalsTold, relayReloads, requestFacts } from './http/events';
import { trackStatus, type AuthStatus } from './http/status';
import { parseOptions } from './options/parse-options';
import { createProtection } from './protection/protection';
import { createRefuse, type Refuse } from './refusals';
import { createStore } from './store/store';
import type { Authenticator, PassportStrategy, WorkspaceAuthOptions, WorkspaceUser } from './types';
import type { UsersIndex } from './users/users-index';
import { UsersSource } from './users/users-source';
import { refuseRequestAsArgument } from './util/misuse';
import { createWorkspaceGuards, type WorkspaceGuards } from './workspaces/require-workspace';

/** What `workspaceAuth()` returns: a middleware serving the login, logout and `me` routes, with every piece as a member. */
export interface WorkspaceAuth extends WorkspaceGuards {
  (req: Request, res: Response, next: NextFunction): void;
  /** The Passport instance the strategies are registered on. */
  passport: Authenticator;
  /** The Passport strategies, by kind: passport-local's, passport-headerapikey's (one per API-key header), and the Bearer one. */
  strategies: { password: PassportStrategy; apiKey: PassportStrategy[]; bearer: BearerStrategy };
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

const MISUSE = {
  factory: 'workspaceAuth',
  written: 'app.use(workspaceAuth)',
  intended: 'app.use(workspaceAuth())',
  advice: 'Build the plugin once, at start, and mount what it returns: const auth = workspaceAuth({ usersFile: ".users.yml" }); app.use(auth);',
};

/**
 * Builds the plugin: loads and watches the users file, registers the strategies, and
 * returns a middleware with the login, logout and `me` routes. Throws at once, with every problem,
 * if the configuration or the users file is wrong. It only wires: each folder builds its own part.
 */
export function workspaceAuth(options: Readonly<WorkspaceAuthOptions> = {}): WorkspaceAuth {
  refuseRequestAsArgument(options, MISUSE);
  const config = parseOptions(options);
  const { logger, passport } = config;
  for (const warning of config.warnings) logger.warn(warning);
  const source = new UsersSource(config.users);
  const getUsers = () => source.current;
  const events = new AuthEventEmitter(logger);
  relayReloads(source, events, logger);
  const status = trackStatus(source, events);
  const store = createStore(config.store);
  const auth = createAuth(config.auth, passport, getUsers, store.revocations);
  const refuse = createRefuse(config.realm, config.onRefusal, refusalsTold(events, auth.authenticated), logger);
  const protection = createProtection(config.protection, auth.logins.hashLimit, store, getUsers, refuse, (req, kind) => events.tell('rate-limited', { kind, ip: requestFacts(req).ip }));
  const { serveRoutes, ...handlers } = createHttp({ ...config.http, passport, auth, protection, revocations: store.revocations, events, refuse, getUsers });
  return Object.assign(serveRoutes, {
    ...handlers,
    passport,
    strategies: auth.strategies,
    userOf: (req: Request) => auth.authenticated.userOf(req),
    refuse,
    ...createWorkspaceGuards(getUsers, auth.authenticated, refuse),
    users: getUsers,
    reload: () => source.reload(),
    status,
    on: events.on.bind(events),
    once: events.once.bind(events),
    off: events.off.bind(events),
    close: () => {
      source.close();
      store.close();
    },
  });
}
