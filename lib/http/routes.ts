import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AuthenticatedRequests } from '../auth/authenticated-requests';
import { LOGIN_BODY_LIMIT } from '../limits';
import type { LoginGuard, LoginOutcome } from '../protection/login-guard';
import { requestFacts, type AuthEventEmitter, type LoginFailureReason } from './events';
import { isRefusal, type Refuse, type RefusalCode } from '../refusals';
import type { RevocationList } from '../store/revocation-list';
import { STRATEGY_NAMES, type BearerCredential } from '../auth/strategies';
import type { TokenService } from '../auth/tokens';
import type { Authenticator, WorkspaceUser } from '../types';
import type { UsersIndex } from '../users/users-index';

/** A user as `GET /api/me` answers it: no secrets, the workspaces resolved. */
export interface PublicUser {
  username: string;
  email: string | null;
  full_name: string | null;
  disabled: boolean;
  /** Every workspace the user may access, sorted; for a super-user, every known workspace. */
  workspaces: string[];
  superuser: boolean;
}

export function toPublicUser(user: WorkspaceUser, users: UsersIndex): PublicUser {
  return {
    username: user.username,
    email: user.email,
    full_name: user.full_name,
    disabled: user.disabled,
    workspaces: users.workspacesOf(user),
    superuser: user.superuser,
  };
}

interface RouteParts {
  passport: Authenticator;
  events: AuthEventEmitter;
  tokens: TokenService;
  refuse: Refuse;
  authenticate: RequestHandler;
  authenticated: AuthenticatedRequests;
  getUsers: () => UsersIndex;
  loginGuard: LoginGuard;
  revocations: RevocationList;
}

/** Why a login failed, for the `login-failed` event: the file tells an unknown user from a wrong password. */
function failureOf(code: RefusalCode, username: unknown, users: UsersIndex): { username?: string; reason: LoginFailureReason } {
  const known = typeof username === 'string' ? users.findByUsername(username) : undefined;
  const reason: LoginFailureReason =
    code === 'invalid_credentials' ? (known ? 'wrong_password' : 'unknown_user') : code === 'user_disabled' ? 'user_disabled' : code === 'invalid_login_fields' ? 'invalid_login_fields' : 'missing_login_fields';
  return known ? { username: known.user.username, reason } : { reason };
}

/** `POST /api/security/token`: body parsing, the failure limits and the bounded line, password login, the token. */
export function createTokenHandler({ passport, events, tokens, refuse, loginGuard, getUsers }: RouteParts): RequestHandler[] {
  // Counted (a failure) or cleared (a success) before the answer, so the client's next login sees it.
  const settled = (req: Request, next: NextFunction, outcome: LoginOutcome, answer: () => void): void => {
    loginGuard.settle(req, outcome).then(answer, next);
  };
  const checkAndIssue = (req: Request, res: Response, next: NextFunction, checksLeft: number): void => {
    passport.authenticate(STRATEGY_NAMES.password, { session: false }, (error: unknown, user: WorkspaceUser | false, info: unknown) => {
      if (error) return settled(req, next, 'other', () => next(error));
      const { ip } = requestFacts(req);
      if (!user) {
        // passport-local refuses missing fields itself, with a plain message and status 400.
        const code = isRefusal(info) ? info.code : 'missing_login_fields';
        events.tell('login-failed', { ip, ...failureOf(code, (req.body as { username?: unknown } | undefined)?.username, getUsers()) });
        // Only a wrong password or an unknown username counts against the client.
        return settled(req, next, code === 'invalid_credentials' ? 'failure' : 'other', () => refuse(req, res, next, code));
      }
      // The token is bound to the credentials in force (tokens.ts). If the users file was reloaded
      // while the password was hashed, those may not be the ones just checked: check once more.
      const record = getUsers().findByUsername(user.username);
      if (record?.user !== user) {
        if (checksLeft > 0) return checkAndIssue(req, res, next, checksLeft - 1);
        return settled(req, next, 'other', () => refuse(req, res, next, 'invalid_credentials'));
      }
      settled(req, next, 'success', () => {
        events.tell('login', { username: user.username, ip });
        res.set('Cache-Control', 'no-store');
        res.json({ access_token: tokens.issue(record), token_type: 'bearer' });
      });
    })(req, res, next);
  };
  return [
    express.json({ limit: LOGIN_BODY_LIMIT }),
    express.urlencoded({ extended: false, limit: LOGIN_BODY_LIMIT }),
    loginGuard.admit,
    function login(req, res, next) {
      checkAndIssue(req, res, next, 1);
    },
  ];
}

/** `GET /api/me`: the authenticated user without secrets, with the workspaces they may access. */
export function createMeHandler({ authenticate, authenticated, getUsers }: RouteParts): RequestHandler[] {
  return [
    authenticate,
    function me(req, res) {
      res.json(toPublicUser(authenticated.userOf(req) as WorkspaceUser, getUsers()));
    },
  ];
}

/**
 * `POST /api/security/logout` with `Authorization: Bearer <token>`: 204, and that token is refused
 * from then on (on every instance, with a shared store); the user's other tokens live on.
 */
export function createLogoutHandler({ passport, refuse, revocations }: RouteParts): RequestHandler[] {
  return [
    function logout(req, res, next) {
      if (req.headers.authorization === undefined) return refuse(req, res, next, 'missing_credentials');
      passport.authenticate(STRATEGY_NAMES.bearer, { session: false }, (error: unknown, user: WorkspaceUser | false, info: unknown) => {
        if (error) return next(error);
        if (!user) return refuse(req, res, next, isRefusal(info) ? info.code : 'invalid_token');
        const credential = info as BearerCredential;
        // The Argilla client's API key sent as a Bearer token: there is no session to end.
        if (credential.kind !== 'access-token') return refuse(req, res, next, 'not_an_access_token');
        revocations.revoke(credential.token.tokenId, credential.token.expiresAtSeconds).then(() => res.status(204).end(), next);
      })(req, res, next);
    },
  ];
}

/**
 * Whether a request may be for one of the plugin's routes, by its URL alone, so that every
 * other request skips the private router: its pass cost about 5% of a trivial request.
 * Never narrower than the router: case-insensitive as Express's routing is by default, and a
 * URL not starting with "/" (an absolute-form target) or a prefix with characters that
 * Express's path patterns read (":", "*", "(", ...) always goes through it.
 */
export function createRouteFilter(apiPrefix: string): (url: string) => boolean {
  if (/[^\w\-./~%]/.test(apiPrefix)) return () => true;
  const routes = new RegExp(`^${apiPrefix.replaceAll('.', '\\.')}/(?:security/|me)`, 'i');
  return (url) => url.charCodeAt(0) !== 0x2f || routes.test(url);
}

export type { RouteParts };
