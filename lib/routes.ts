import express, { type RequestHandler } from 'express';
import type { AuthenticatedRequests } from './authenticated-requests';
import { LOGIN_BODY_LIMIT } from './limits';
import type { LoginGuard, LoginOutcome } from './login-limiter';
import { isRefusal, type Refuse } from './refusals';
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
  tokens: TokenService;
  refuse: Refuse;
  authenticate: RequestHandler;
  authenticated: AuthenticatedRequests;
  getUsers: () => UsersIndex;
  loginGuard: LoginGuard;
}

/** `POST /api/security/token`: body parsing, the failure limits and the bounded line, password login, the token. */
export function createTokenHandler({ passport, tokens, refuse, loginGuard }: RouteParts): RequestHandler[] {
  const login: RequestHandler = function login(req, res, next) {
    passport.authenticate(STRATEGY_NAMES.password, { session: false }, (error: unknown, user: WorkspaceUser | false, info: unknown) => {
      const code = isRefusal(info) ? info.code : undefined;
      const outcome: LoginOutcome = user && !error ? 'success' : code === 'invalid_credentials' ? 'failure' : 'other';
      // Counted before the answer, so the client's next login sees it.
      loginGuard.settle(req, outcome).then(() => {
        if (error) return next(error);
        // passport-local refuses missing fields itself, with a plain message and status 400.
        if (!user) return refuse(req, res, next, code ?? 'missing_login_fields');
        res.set('Cache-Control', 'no-store');
        res.json({ access_token: tokens.issue(user.username), token_type: 'bearer' });
      }, next);
    })(req, res, next);
  };
  return [
    express.json({ limit: LOGIN_BODY_LIMIT }),
    express.urlencoded({ extended: false, limit: LOGIN_BODY_LIMIT }),
    loginGuard.admit,
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
