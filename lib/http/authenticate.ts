import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthenticatedRequests } from '../auth/authenticated-requests';
import { judgeCredentials, type Verifiers } from '../auth/credentials';
import type { Verdict } from '../auth/verdict';
import { clientKeyOf } from '../protection/client-key';
import type { AuthenticateGuard } from '../protection/protection';
import type { Refuse } from '../refusals';
import type { PlaceUser } from './user-property';

/**
 * Authenticates a request by API key or access token: marks it as ours (`auth.userOf(req)`) and
 * puts the user where `userProperty` says, if that is polite (user-property.ts); refuses it otherwise. The decisions are the strategies' own (a spec runs one table through
 * both and requires the same outcomes); calling their verify functions directly spares every
 * request Passport's per-request strategy object and closures. A client with too many invalid
 * keys and tokens is refused before its credentials are looked at.
 */
export function createAuthenticate(verifiers: Verifiers, refuse: Refuse, authenticated: AuthenticatedRequests, guard: AuthenticateGuard, placeUser: PlaceUser): RequestHandler {
  const { keyAndTokenFailures, checkTrustProxy, onLimited } = guard;
  const settle = (verdict: Verdict, req: Request, res: Response, next: NextFunction): void => {
    if ('code' in verdict) {
      // Counted in the background: the answer does not wait for Redis.
      if (verdict.code === 'invalid_api_key' || verdict.code === 'invalid_token') void keyAndTokenFailures.failed(clientKeyOf(req));
      refuse(req, res, next, verdict.code);
      return;
    }
    const previous = authenticated.mark(req, verdict.user);
    // For the app's handlers; the plugin itself trusts only its mark.
    placeUser(req, verdict.user, previous);
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

/**
 * Whether a request is a caller of this plugin: one it authenticated, or one that carries its
 * valid API key or access token (looked at, not counted: nothing is refused here).
 */
export function createCallerCheck(verifiers: Verifiers, authenticated: AuthenticatedRequests): (req: Request) => boolean | Promise<boolean> {
  const admits = (verdict: Verdict) => !('code' in verdict);
  return function isOurCaller(req) {
    if (authenticated.userOf(req)) return true;
    const verdict = judgeCredentials(req, verifiers);
    return verdict instanceof Promise ? verdict.then(admits) : admits(verdict);
  };
}
