import express, { type RequestHandler } from 'express';
import type { AuthenticatedRequests } from './authenticated-requests';
import { LOGIN_BODY_LIMIT } from './limits';
import { requestFacts, type AuthEventEmitter, type LoginFailureReason } from './auth-events';
import { isRefusal, type Refuse, type RefusalCode } from './refusals';
import { STRATEGY_NAMES } from './strategies';
import type { TokenService } from './tokens';
import type { Authenticator, WorkspaceUser } from './types';
import type { UsersIndex } from './users-index';

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
  loginLimiter: RequestHandler;
}

/** `POST /api/security/token`: body parsing, the failed-login limit, password login, the token. */
/** Why a login failed, for the `login-failed` event: the file tells an unknown user from a wrong password. */
function failureOf(code: RefusalCode, username: unknown, users: UsersIndex): { username?: string; reason: LoginFailureReason } {
  const known = typeof username === 'string' ? users.findByUsername(username) : undefined;
  const reason: LoginFailureReason =
    code === 'invalid_credentials' ? (known ? 'wrong_password' : 'unknown_user') : code === 'user_disabled' ? 'user_disabled' : code === 'invalid_login_fields' ? 'invalid_login_fields' : 'missing_login_fields';
  return known ? { username: known.user.username, reason } : { reason };
}

export function createTokenHandler({ passport, events, tokens, refuse, loginLimiter, getUsers }: RouteParts): RequestHandler[] {
  const login: RequestHandler = function login(req, res, next) {
    passport.authenticate(STRATEGY_NAMES.password, { session: false }, (error: unknown, user: WorkspaceUser | false, info: unknown) => {
      if (error) return next(error);
      const { ip } = requestFacts(req);
      if (!user) {
        // passport-local refuses missing fields itself, with a plain message and status 400.
        const code = isRefusal(info) ? info.code : 'missing_login_fields';
        events.tell('login-failed', { ip, ...failureOf(code, (req.body as { username?: unknown } | undefined)?.username, getUsers()) });
        return refuse(req, res, next, code);
      }
      events.tell('login', { username: user.username, ip });
      res.set('Cache-Control', 'no-store');
      res.json({ access_token: tokens.issue(user.username), token_type: 'bearer' });
    })(req, res, next);
  };
  return [
    express.json({ limit: LOGIN_BODY_LIMIT }),
    express.urlencoded({ extended: false, limit: LOGIN_BODY_LIMIT }),
    loginLimiter,
    login,
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

export type { RouteParts };
