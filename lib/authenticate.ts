import type { RequestHandler } from 'express';
import type { AuthenticatedRequests } from './authenticated-requests';
import { isRefusal, type Refuse, type RefusalCode } from './refusals';
import { API_KEY_HEADERS, asPassportUser, STRATEGY_NAMES } from './strategies';
import type { Authenticator, WorkspaceUser } from './types';

/**
 * Which strategy a request's credentials are for. An API-key header wins over a Bearer
 * token (the Argilla client sends both); a request with no credentials is refused here.
 */
function chooseStrategy(headers: Record<string, string | string[] | undefined>): { strategy: string } | { refuse: RefusalCode } {
  const presented = API_KEY_HEADERS.filter((header) => headers[header.toLowerCase()] !== undefined);
  const keys = new Set(presented.map((header) => headers[header.toLowerCase()]));
  if (keys.size > 1) return { refuse: 'conflicting_credentials' };
  const [header] = presented;
  if (header) return { strategy: STRATEGY_NAMES.apiKey(header) };
  if (headers.authorization !== undefined) return { strategy: STRATEGY_NAMES.bearer };
  return { refuse: 'missing_credentials' };
}

/**
 * Authenticates a request by API key or access token: marks it as ours and sets `req.user`;
 * refuses it otherwise. Failures of the machinery itself go to `next(err)`.
 */
export function createAuthenticate(passport: Authenticator, refuse: Refuse, authenticated: AuthenticatedRequests): RequestHandler {
  return function authenticate(req, res, next) {
    const choice = chooseStrategy(req.headers);
    if ('refuse' in choice) return refuse(req, res, next, choice.refuse);
    passport.authenticate(choice.strategy, { session: false }, (error: unknown, user: WorkspaceUser | false, info: unknown) => {
      if (error) return next(error);
      if (!user) {
        const fallback = choice.strategy === STRATEGY_NAMES.bearer ? 'invalid_token' : 'invalid_api_key';
        return refuse(req, res, next, isRefusal(info) ? info.code : fallback);
      }
      authenticated.mark(req, user);
      // Passport's convention, for the app's handlers; the plugin itself trusts only its mark.
      req.user = asPassportUser(user);
      next();
    })(req, res, next);
  };
}
