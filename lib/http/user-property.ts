import type { Request } from 'express';
import type { WorkspaceUser } from '../types';

/**
 * `req[name]`, read as cheaply as it can be: each Express request has a hidden class of its own,
 * so a plain read of a property it does not have misses V8's caches and walks its whole
 * prototype chain in the runtime (~1 µs a read here). An own-property check, then the read on
 * its prototype (the app's request object, the same for every request, whose caches hit) with
 * the request as receiver, so that an accessor there sees the request as a plain read would.
 */
function readOnRequest(req: Request, name: string, own = Object.hasOwn(req, name)): unknown {
  if (own) return (req as unknown as Record<string, unknown>)[name];
  const prototype: unknown = Object.getPrototypeOf(req);
  return prototype === null ? undefined : Reflect.get(prototype as object, name, req);
}

/**
 * `req[name] = value`, as cheaply: where nothing on the request's prototype chain has the name,
 * the assignment would make a plain own property, and defining it does so without the cache
 * miss and the walk of the chain; otherwise (a setter, an inherited value) the assignment itself.
 * `own`: whether the request has the property itself, when the caller has just looked.
 */
function setOnRequest(req: Request, name: string, value: unknown, own = Object.hasOwn(req, name)): void {
  const prototype: unknown = Object.getPrototypeOf(req);
  if (!own && (prototype === null || !(name in (prototype as object)))) {
    Object.defineProperty(req, name, { value, writable: true, enumerable: true, configurable: true });
  } else (req as unknown as Record<string, unknown>)[name] = value;
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
  if (typeof readOnRequest(req, 'isAuthenticated') !== 'function') return undefined;
  const userProperty = readOnRequest(req, '_userProperty');
  return typeof userProperty === 'string' && userProperty !== '' ? userProperty : 'user';
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
    // One own-property check for the read and the write. Should the read run a getter up the
    // chain, the name is on the chain, and the write assigns, as a plain one would.
    const own = Object.hasOwn(req, property);
    const current = readOnRequest(req, property, own);
    if (current != null && current !== previous) return;
    setOnRequest(req, property, user, own);
  };
}
