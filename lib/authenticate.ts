import type { RequestHandler } from 'express';
import type passport from 'passport';
import { isRefusal, sendRefusal, type RefusalCode } from './errors';
import { API_KEY_HEADERS, STRATEGY_NAMES } from './strategies';

/** A Passport instance: `passport` itself, or `new passport.Passport()`. */
export type Authenticator = InstanceType<typeof passport.Passport>;

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
 * Authenticates a request by API key or access token and sets `req.user`; refuses it
 * with a JSON 401/403 otherwise. Failures of the machinery itself go to `next(err)`.
 */
export function createAuthenticate(passport: Authenticator, realm: string): RequestHandler {
  return function authenticate(req, res, next) {
    const choice = chooseStrategy(req.headers);
    if ('refuse' in choice) return sendRefusal(res, choice.refuse, realm);
    passport.authenticate(choice.strategy, { session: false }, (error: unknown, user: Express.User | false, info: unknown) => {
      if (error) return next(error);
      if (!user) {
        const fallback = choice.strategy === STRATEGY_NAMES.bearer ? 'invalid_token' : 'invalid_api_key';
        return sendRefusal(res, isRefusal(info) ? info.code : fallback, realm);
      }
      req.user = user;
      next();
    })(req, res, next);
  };
}
