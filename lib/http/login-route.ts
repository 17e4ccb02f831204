import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { type LoginRefusal, PASSWORD_STRATEGY_NAME } from '../auth/password-strategy';
import type { TokenService } from '../auth/tokens';
import { LOGIN_BODY_LIMIT } from '../limits';
import type { LoginGuard, LoginOutcome } from '../protection/login-guard';
import { isRefusal, type Refuse } from '../refusals';
import type { Authenticator, WorkspaceUser } from '../types';
import type { UsersIndex } from '../users/users-index';
import { type AuthEventEmitter, requestFacts } from './events';
import type { OwnErrors } from './own-errors';

export interface LoginRouteParts {
  passport: Authenticator;
  events: AuthEventEmitter;
  tokens: TokenService;
  refuse: Refuse;
  getUsers: () => UsersIndex;
  loginGuard: LoginGuard;
  /** The login body's parsers raise the plugin's own errors (errorHandler answers them). */
  ownErrors: OwnErrors;
}

/** `POST /api/security/token`: body parsing, the failure limits and the bounded line, password login, the token. */
export function createTokenHandler({ passport, events, tokens, refuse, loginGuard, getUsers, ownErrors }: LoginRouteParts): RequestHandler[] {
  // Counted (a failure) or cleared (a success) before the answer, so the client's next login sees it.
  const settled = (req: Request, next: NextFunction, outcome: LoginOutcome, answer: () => void): void => {
    loginGuard.settle(req, outcome).then(answer, next);
  };
  const checkAndIssue = (req: Request, res: Response, next: NextFunction, checksLeft: number): void => {
    passport.authenticate(PASSWORD_STRATEGY_NAME, { session: false }, (error: unknown, user: WorkspaceUser | false, info: unknown) => {
      if (error) return settled(req, next, 'other', () => next(error));
      const { ip } = requestFacts(req);
      if (!user) {
        // The strategy's verdict says why, for the event: no second look at the users.
        const refused = (info ?? {}) as Partial<LoginRefusal>;
        const code = isRefusal(refused) ? refused.code : 'missing_login_fields';
        events.tell('login-failed', { ...(refused.username !== undefined && { username: refused.username }), ip, reason: refused.reason ?? 'missing_login_fields' });
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
    ownErrors.claim(express.json({ limit: LOGIN_BODY_LIMIT })),
    ownErrors.claim(express.urlencoded({ extended: false, limit: LOGIN_BODY_LIMIT })),
    loginGuard.admit,
    function login(req, res, next) {
      checkAndIssue(req, res, next, 1);
    },
  ];
}
