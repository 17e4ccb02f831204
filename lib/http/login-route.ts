import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { LoginJudge, LoginVerdict } from '../auth/password-strategy';
import type { TokenService } from '../auth/tokens';
import { LOGIN_BODY_LIMIT } from '../limits';
import type { LoginGuard, LoginOutcome } from '../protection/login-guard';
import type { Refuse } from '../refusals';
import type { UsersIndex } from '../users/users-index';
import { type AuthEventEmitter, requestFacts } from './events';
import type { OwnErrors } from './own-errors';

export interface LoginRouteParts {
  /** The password check of a login whose turn the line gave: it starts at once. */
  judgeInTurn: LoginJudge;
  events: AuthEventEmitter;
  tokens: TokenService;
  refuse: Refuse;
  getUsers: () => UsersIndex;
  loginGuard: LoginGuard;
  /** The login body's parsers raise the plugin's own errors (errorHandler answers them). */
  ownErrors: OwnErrors;
}

/** What a login came to, and its answer, sent once the outcome is counted. */
interface Settled {
  outcome: LoginOutcome;
  answer: () => void;
}

/** `POST /api/security/token`: body parsing, the failure limits and the bounded line, the password check in its turn, the token. */
export function createTokenHandler({ judgeInTurn, events, tokens, refuse, loginGuard, getUsers, ownErrors }: LoginRouteParts): RequestHandler[] {
  /**
   * The check, in the login's turn. The token is bound to the credentials in force (tokens.ts):
   * if the users file was reloaded while the password was hashed, those may not be the ones just
   * checked, so it checks once more. A client that has gone is never checked (again).
   */
  const check = async (req: Request, res: Response): Promise<LoginVerdict | 'gone' | 'changed'> => {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    for (let checks = 0; checks < 2; checks++) {
      if (res.closed) return 'gone';
      const verdict = await judgeInTurn(username, password);
      if (!('record' in verdict)) return verdict;
      const fresh = getUsers().findByUsername(verdict.record.user.username);
      if (fresh?.user === verdict.record.user) return { record: fresh };
    }
    return 'changed';
  };

  const settle = (req: Request, res: Response, next: NextFunction, verdict: LoginVerdict | 'gone' | 'changed'): Settled => {
    if (verdict === 'gone') return { outcome: 'other', answer: () => undefined };
    // Changed twice while it was checked: no token for credentials no longer in force, and no failure either.
    if (verdict === 'changed') return { outcome: 'other', answer: () => refuse(req, res, next, 'invalid_credentials') };
    const { ip } = requestFacts(req);
    if ('record' in verdict) {
      const { record } = verdict;
      return {
        outcome: 'success',
        answer: () => {
          events.tell('login', { username: record.user.username, ip });
          res.set('Cache-Control', 'no-store');
          res.json({ access_token: tokens.issue(record), token_type: 'bearer' });
        },
      };
    }
    const { refused } = verdict;
    // The verdict says why, for the event: no second look at the users.
    events.tell('login-failed', { ...(refused.username !== undefined && { username: refused.username }), ip, reason: refused.reason });
    // Only a wrong password or an unknown username counts against the client.
    return { outcome: refused.code === 'invalid_credentials' ? 'failure' : 'other', answer: () => refuse(req, res, next, refused.code) };
  };

  /** Counted (a failure) or cleared (a success) before the answer, so the client's next login sees it; the turn ends however the check ends. */
  const logIn = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let settled: Settled = { outcome: 'other', answer: () => undefined };
    try {
      settled = settle(req, res, next, await check(req, res));
    } finally {
      await loginGuard.settle(req, settled.outcome);
    }
    settled.answer();
  };

  return [
    ownErrors.claim(express.json({ limit: LOGIN_BODY_LIMIT })),
    ownErrors.claim(express.urlencoded({ extended: false, limit: LOGIN_BODY_LIMIT })),
    loginGuard.admit,
    function login(req, res, next) {
      logIn(req, res, next).catch(next);
    },
  ];
}
