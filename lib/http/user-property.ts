import type { Request } from 'express';
import type { WorkspaceUser } from '../types';

/** What Passport 0.6 and 0.7 leave on a request their `initialize()`, `session()` or `authenticate()` middleware went through. */
interface PassportMarks {
  isAuthenticated?: unknown;
  _userProperty?: unknown;
}

/**
 * The property the app's own Passport reads its user from on this request (what its
 * `req.isAuthenticated()` looks at, and so every login guard built on it, connect-ensure-login's
 * included), or undefined when no Passport middleware of the app's has been through the request.
 * Passport's `initialize()` and `session()` put `req.isAuthenticated` on every request they
 * pass: a request without it has no Passport user to shadow and no guard to fool. The plugin's
 * own Passport instance never runs on a request that reaches `authenticate`.
 */
function passportUserProperty(req: Request): string | undefined {
  const marks = req as PassportMarks;
  if (typeof marks.isAuthenticated !== 'function') return undefined;
  return typeof marks._userProperty === 'string' && marks._userProperty !== '' ? marks._userProperty : 'user';
}

/** Puts the plugin's user on the request where the app asked, if that is polite; `previous`: the user this plugin put there earlier in the request. */
export type PlaceUser = (req: Request, user: WorkspaceUser, previous: WorkspaceUser | undefined) => void;

/**
 * Where the plugin's user goes besides `auth.userOf(req)`: the `userProperty` option's property
 * (Passport's convention, `req.user`, by default), or nowhere (`false`). Never where the app's own
 * Passport reads its user, so an API-key caller never makes `req.isAuthenticated()` true nor
 * shadows a session user; never over a value someone else put there.
 */
export function createPlaceUser(property: string | false): PlaceUser {
  if (property === false) return () => undefined;
  return function placeUser(req, user, previous) {
    if (passportUserProperty(req) === property) return;
    const holder = req as unknown as Record<string, unknown>;
    const current = holder[property];
    if (current != null && current !== previous) return;
    holder[property] = user;
  };
}
