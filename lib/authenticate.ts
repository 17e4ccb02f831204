import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthenticatedRequests } from './authenticated-requests';
import { clientKeyOf } from './client-key';
import type { KeyAndTokenFailureLimit } from './failure-limits';
import { refusal, type Refuse } from './refusals';
import { type ApiKeyVerifier, asPassportUser, bearerTokenOf, type Verdict } from './strategies';

/** The verify functions of the strategies: what Passport would call, called here without its per-request machinery. */
export interface Verifiers {
  apiKey: ApiKeyVerifier;
  bearer: (token: string) => Verdict | Promise<Verdict>;
}

const MISSING_CREDENTIALS = refusal('missing_credentials');
const CONFLICTING_CREDENTIALS = refusal('conflicting_credentials');
const INVALID_API_KEY = refusal('invalid_api_key');
const INVALID_TOKEN = refusal('invalid_token');

/**
 * The verdict on a request's credentials, as the strategies decide it. An API-key header wins
 * over a Bearer token (the Argilla client sends both), unless it matches no user and the Bearer
 * token is an access token; different keys in several headers are refused. Header names as
 * Node gives them: lowercase.
 */
function judgeCredentials(req: Request, verifiers: Verifiers): Verdict | Promise<Verdict> {
  const { headers } = req;
  const ours = headers['x-api-key'];
  const argilla = headers['x-argilla-api-key'];
  const rubrix = headers['x-rubrix-api-key'];
  const apiKey = ours ?? argilla ?? rubrix;
  if (apiKey !== undefined) {
    if ((argilla !== undefined && argilla !== apiKey) || (rubrix !== undefined && rubrix !== apiKey)) return CONFLICTING_CREDENTIALS;
    // passport-headerapikey fails an empty header before its verify runs.
    return typeof apiKey === 'string' && apiKey !== '' ? verifiers.apiKey(apiKey, headers.authorization) : INVALID_API_KEY;
  }
  if (headers.authorization === undefined) return MISSING_CREDENTIALS;
  const token = bearerTokenOf(headers.authorization);
  return token === undefined ? INVALID_TOKEN : verifiers.bearer(token);
}

/** The per-client limit on invalid API keys and tokens, and the one-time `trust proxy` check. */
export interface AuthenticateGuard {
  keyAndTokenFailures: KeyAndTokenFailureLimit;
  checkTrustProxy: (req: Request) => void;
  /** Told when a client is refused for too many invalid keys and tokens (the `rate-limited` event). */
  onLimited: (req: Request) => void;
}

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
    if (verdict instanceof Promise) verdict.then((settled) => settle(settled, req, res, next), next);
    else settle(verdict, req, res, next);
  };
}
