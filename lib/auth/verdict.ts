import { type Refusal, refusal } from '../refusals';
import type { VerifiedToken } from './token-claims';
import type { WorkspaceUser } from '../types';

/** What the bearer strategy authenticated (Passport's `info` on success): an access token, which a logout revokes, or an API key. */
export type BearerCredential = { kind: 'access-token'; token: VerifiedToken } | { kind: 'api-key' };

/** A credential's verdict: the user it admits, or why not. */
export type Verdict = { user: WorkspaceUser; credential?: BearerCredential } | Refusal;

/** Passport's verify callback, as our strategies call it. */
export type Done = (error: Error | null, user?: WorkspaceUser | false, info?: object) => void;

// Made once: the verdicts of a refused credential are the same for every request.
export const INVALID_API_KEY = refusal('invalid_api_key');
export const INVALID_TOKEN = refusal('invalid_token');
export const USER_DISABLED = refusal('user_disabled');

/**
 * Passport types every user as the app's own `Express.User`, which the plugin leaves alone.
 * Ours pass through Passport untyped; the app reads them back typed with `auth.userOf(req)`.
 */
export function asPassportUser(user: WorkspaceUser): Express.User {
  return user as unknown as Express.User;
}

/** Hands a verdict to a Passport verify callback. */
function report(verdict: Verdict, done: Done): void {
  if ('code' in verdict) done(null, false, verdict);
  else done(null, verdict.user, verdict.credential);
}

/** Hands a verdict to a Passport verify callback once it is settled; a failed lookup is Passport's error. */
export function reportSettled(verdict: Verdict | Promise<Verdict>, done: Done): void {
  if (!(verdict instanceof Promise)) {
    report(verdict, done);
    return;
  }
  verdict.then(
    (settled) => report(settled, done),
    (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
  );
}
