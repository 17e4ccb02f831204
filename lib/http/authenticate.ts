import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthenticatedRequests } from '../auth/authenticated-requests';
import { judgeCredentials, type Verifiers } from '../auth/credentials';
import { asPassportUser, type Verdict } from '../auth/verdict';
import { clientKeyOf } from '../protection/client-key';
import type { AuthenticateGuard } from '../protection/protection';
import type { Refuse } from '../refusals';

/**
 * Authenticates a request by API key or access token: marks it as ours and sets `req.user`;
 * refuses it otherwise. The decisions are the strategies' own (a spec runs one table through
 * both and requires the same outcomes); calling their verify functions directly spares every
 * request Passport's per-request strategy object and closures. A client with too many invalid
 * keys and tokens is refused before its credentials are looked at.
 */
export function createAuthenticate(verifiers: Verifiers, refuse: Refuse, authenticated: AuthenticatedRequests, guard: AuthenticateGuard): RequestHandler {
  const { keyAndTokenFailures, checkTrustProxy, onLimited } = guard;
  const settle = (verdict: Verdict, req: Request, res: Response, next: NextFunction): void => {
    if ('code' in verdict) {
      // Counted in the background: the answer does not wait for Redis.
      if (verdict.code === 'invalid_api_key' || verdict.code === 'invalid_token') void keyAndTokenFailures.failed(clientKeyOf(req));
      refuse(req, res, next, verdict.code);
      return;
    }
    authenticated.mark(req, verdict.user);
    // Passport's convention, for the app's handlers; the plugin itself trusts only its mark.
    req.user = asPassportUser(verdict.user);
    next();
  };
  return function authenticate(req, res, next) {
    checkTrustProxy(req);
    // Every request passes here: no client is worked out unless one is blocked.
    if (keyAndTokenFailures.anyBlocked) {
      const blockedMs = keyAndTokenFailures.blockedMs(clientKeyOf(req));
      if (blockedMs > 0) {
        onLimited(req);
        return refuse(req, res, next, 'too_many_failed_credentials', { retryAfterSeconds: blockedMs / 1000 });
      }
    }
    const verdict = judgeCredentials(req, verifiers);
    // Whatever settling throws (an app's `req.user` setter, say) goes to the error handler, never unhandled.
    if (verdict instanceof Promise) verdict.then((settled) => settle(settled, req, res, next)).catch(next);
    else settle(verdict, req, res, next);
  };
}
