import type { Request } from 'express';
import type passport from 'passport';
import { MAX_CREDENTIAL_LENGTH } from '../limits';
import type { RevocationList } from '../store/revocation-list';
import type { UsersIndex } from '../users/users-index';
import type { TokenService, VerifiedToken } from './tokens';
import { asPassportUser, type BearerCredential, type Done, INVALID_TOKEN, reportSettled, USER_DISABLED, type Verdict } from './verdict';

export const BEARER_STRATEGY_NAME = 'workspace-bearer';

/** The token of an `Authorization: Bearer <token>` header, or undefined for any other value. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer +([^\s]+) *$/i.exec(authorization ?? '');
  return match?.[1] || undefined;
}

/**
 * `Authorization: Bearer <token>`, read from that header only (passport-http-bearer also
 * reads `?access_token=`, and credentials must never come from URLs). A Passport strategy by
 * its shape: Passport gives each run its `success`, `fail` and `error`, so no base class is
 * needed, and the declarations name no package beyond Passport's own types.
 */
export class BearerStrategy implements passport.Strategy {
  name = BEARER_STRATEGY_NAME;

  /** Decides on a presented token (a public member, as passport-local's `_verify`: Passport's `this` for a run sees only those). */
  constructor(readonly verify: (token: string, done: Done) => void) {}

  authenticate(this: passport.StrategyCreated<this>, req: Request): void {
    const token = bearerTokenOf(req.headers.authorization);
    if (token === undefined) {
      this.fail(INVALID_TOKEN, 401);
      return;
    }
    this.verify(token, (error, user, info) => {
      if (error) this.error(error);
      else if (user) this.success(asPassportUser(user), info);
      else this.fail(info, 401);
    });
  }
}

const API_KEY_CREDENTIAL: BearerCredential = { kind: 'api-key' };

/**
 * Every decision on a Bearer credential: an access token whose signature, claims, logout and
 * credentials are all checked on every request, else an API key (the Argilla client sends its
 * key this way). A token's user is looked up now, not trusted from the token: a removed
 * user, or one whose password changed since the token was issued, is refused at once.
 */
export function createBearerVerifier(getUsers: () => UsersIndex, tokens: TokenService, revocations: RevocationList): (presented: string) => Verdict | Promise<Verdict> {
  const admitToken = (token: VerifiedToken): Verdict => {
    const record = getUsers().findByUsername(token.username);
    if (!record || !tokens.issuedUnder(token, record)) return INVALID_TOKEN;
    if (record.user.disabled) return USER_DISABLED;
    return { user: record.user, credential: { kind: 'access-token', token } };
  };
  return function verifyBearer(presented) {
    // A token first: a remembered one costs a Map lookup, where the API-key lookup hashes what was presented.
    const token = tokens.verify(presented);
    if (!token) {
      const byApiKey = presented.length <= MAX_CREDENTIAL_LENGTH ? getUsers().findByApiKey(presented) : undefined;
      if (!byApiKey) return INVALID_TOKEN;
      return byApiKey.user.disabled ? USER_DISABLED : { user: byApiKey.user, credential: API_KEY_CREDENTIAL };
    }
    // In memory the answer is synchronous, and so is the whole check; a shared store may answer later.
    const revoked = revocations.isRevoked(token.tokenId);
    if (revoked === false) return admitToken(token);
    if (revoked === true) return INVALID_TOKEN;
    return revoked.then((isRevoked) => (isRevoked ? INVALID_TOKEN : admitToken(token)));
  };
}

export function createBearerStrategy(verifyBearer: (presented: string) => Verdict | Promise<Verdict>): BearerStrategy {
  return new BearerStrategy((presented, done) => reportSettled(verifyBearer(presented), done));
}
