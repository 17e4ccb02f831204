import type { RequestHandler } from 'express';
import { BEARER_STRATEGY_NAME } from '../auth/bearer';
import type { BearerCredential } from '../auth/verdict';
import { isRefusal, type Refuse } from '../refusals';
import type { RevocationList } from '../store/revocation-list';
import type { Authenticator, WorkspaceUser } from '../types';

/**
 * `POST /api/security/logout` with `Authorization: Bearer <token>`: 204, and that token is refused
 * from then on (on every instance, with a shared store); the user's other tokens live on.
 */
export function createLogoutHandler(passport: Authenticator, refuse: Refuse, revocations: RevocationList): RequestHandler[] {
  return [
    function logout(req, res, next) {
      if (req.headers.authorization === undefined) return refuse(req, res, next, 'missing_credentials');
      passport.authenticate(BEARER_STRATEGY_NAME, { session: false }, (error: unknown, user: WorkspaceUser | false, info: unknown) => {
        if (error) return next(error);
        if (!user) return refuse(req, res, next, isRefusal(info) ? info.code : 'invalid_token');
        const credential = info as BearerCredential;
        // The Argilla client's API key sent as a Bearer token: there is no session to end.
        if (credential.kind !== 'access-token') return refuse(req, res, next, 'not_an_access_token');
        revocations
          .revoke(credential.token.tokenId, credential.token.expiresAtSeconds)
          .then(() => {
            res.status(204).end();
          })
          .catch(next);
      })(req, res, next);
    },
  ];
}
