import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Auth } from '../auth/auth';
import type { LoginProtection } from '../protection/protection';
import type { Refuse } from '../refusals';
import type { RevocationList } from '../store/revocation-list';
import type { Authenticator } from '../types';
import type { UsersIndex } from '../users/users-index';
import { createAuthenticate, createCallerCheck } from './authenticate';
import { createErrorHandler } from './error-handler';
import type { AuthEventEmitter } from './events';
import { createTokenHandler } from './login-route';
import { createLogoutHandler } from './logout-route';
import { createMeHandler } from './me-route';
import { OwnErrors } from './own-errors';
import { createRouteFilter } from './route-filter';
import { createPlaceUser } from './user-property';
import { whileUsersInForce } from './users-in-force';

/** The http folder's slice of the configuration. */
export interface HttpSettings {
  /** Where the routes are mounted. */
  apiPrefix: string;
  /** Where `authenticate` puts the user besides `auth.userOf(req)` (the `userProperty` option). */
  userProperty: string | false;
}

export interface HttpParts extends HttpSettings {
  passport: Authenticator;
  auth: Auth;
  protection: LoginProtection;
  revocations: RevocationList;
  events: AuthEventEmitter;
  refuse: Refuse;
  getUsers: () => UsersIndex;
}

/** The plugin's HTTP face: its routes behind one middleware, and each handler for apps that mount them themselves. */
export interface Http {
  serveRoutes: RequestHandler;
  authenticate: RequestHandler;
  tokenHandler: RequestHandler[];
  logoutHandler: RequestHandler[];
  meHandler: RequestHandler[];
  errorHandler: ErrorRequestHandler;
}

const passOn: RequestHandler = (_req, _res, next) => next();

/** The http folder's builder. */
export function createHttp({ apiPrefix, passport, auth, protection, revocations, events, refuse, getUsers, userProperty }: HttpParts): Http {
  // While a users file that appeared cannot be loaded, no one gets in: every way in answers 503.
  const inForce = (handler: RequestHandler) => whileUsersInForce(getUsers, refuse, handler);
  const authenticate = inForce(createAuthenticate(auth.verifiers, refuse, auth.authenticated, protection.authenticateGuard, createPlaceUser(userProperty)));
  const ownErrors = new OwnErrors();
  const errorHandler = createErrorHandler(refuse, ownErrors, createCallerCheck(auth.verifiers, auth.authenticated));
  const tokenHandler = [
    inForce(passOn),
    ...createTokenHandler({ judgeInTurn: auth.logins.judgeInTurn, events, tokens: auth.tokens, refuse, getUsers, loginGuard: protection.loginGuard, ownErrors }),
  ];
  const logoutHandler = createLogoutHandler(passport, refuse, revocations).map(inForce);
  const meHandler = createMeHandler(authenticate, auth.authenticated, getUsers);
  // A private router: Express's own path matching, with none of its members reachable from `auth`.
  const router = express.Router();
  router.post(`${apiPrefix}/security/token`, ...tokenHandler);
  router.post(`${apiPrefix}/security/logout`, ...logoutHandler);
  router.get(`${apiPrefix}/me`, ...meHandler);
  router.use(errorHandler);
  const mayBeForRoutes = createRouteFilter(apiPrefix);
  const serveRoutes = function workspaceAuthRoutes(req: Request, res: Response, next: NextFunction): void {
    protection.checkTrustProxy(req);
    if (mayBeForRoutes(req.url)) router(req, res, next);
    else next();
  };
  return { serveRoutes, authenticate, tokenHandler, logoutHandler, meHandler, errorHandler };
}
