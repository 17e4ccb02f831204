import jwt from 'jsonwebtoken';
import { newTokenId, readClaims, TOKEN_ISSUER, type VerifiedToken } from './token-claims';
import { createSigningKeys } from './token-keys';
import type { UserRecord } from '../types';

export type { VerifiedToken } from './token-claims';

/**
 * Access tokens: HS256 JWTs with `iss`, `aud`, `exp`, `sub` (the username), `jti` (what a
 * logout revokes) and `cred` (a tag of the credentials they were issued under). Nothing else
 * is trusted from them: the bearer strategy checks the user, the credentials and the logouts
 * in force on every request.
 */
export interface TokenService {
  issue(record: UserRecord): string;
  /** What the token says, or undefined for a bad, expired or forged token, or one lacking a claim. */
  verify(token: string): VerifiedToken | undefined;
  /** Whether the token was issued under the record's credentials as they are now (same username, same hash). */
  issuedUnder(token: VerifiedToken, record: UserRecord): boolean;
}

export interface TokenServiceOptions {
  /** Signs new tokens; at least 32 bytes (checked by the options). */
  secretKey: string;
  /** Keys whose tokens still verify until they expire (key rotation). */
  previousSecretKeys: readonly string[];
  expirationMinutes: number;
  /** The `aud` set and required: the realm, so two apps that share a key do not accept each other's tokens. */
  audience: string;
}

// A real token is a few hundred characters; anything far longer is refused before parsing.
const MAX_TOKEN_LENGTH = 4096;
// Verified tokens remembered, so a request with a known token costs a Map lookup, not a JSON
// parse and an HMAC (~13 µs with jsonwebtoken, ~10 µs with fast-jwt, ~160 µs with jose here).
// At most ~4 MB; the oldest entry goes first. Only tokens whose signature and claims were
// right get in, so forged tokens cannot crowd out real ones.
const MAX_REMEMBERED_TOKENS = 10_000;

export function createTokenService({ secretKey, previousSecretKeys, expirationMinutes, audience }: TokenServiceOptions): TokenService {
  const keys = createSigningKeys(secretKey, previousSecretKeys);
  // By signature: a lookup hashes its key, a new string on every request, and the signature is a
  // seventh of the token. The whole token must still match what was verified.
  const remembered = new Map<string, { token: string; verified: VerifiedToken }>();
  const signatureOf = (token: string) => token.slice(token.lastIndexOf('.') + 1);

  const verifyAnew = (token: string): VerifiedToken | undefined => {
    try {
      // The header names its key (kid): one HMAC per token, whichever key signed it.
      const keyId = jwt.decode(token, { complete: true })?.header.kid;
      const key = keyId === undefined ? undefined : keys.byId(keyId);
      if (!key) return undefined;
      // Pinning the algorithm refuses `alg: none` and tokens signed any other way; a wrong or missing iss or aud throws.
      const payload = jwt.verify(token, key.key, { algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience });
      return readClaims(payload, key.id);
    } catch {
      return undefined;
    }
  };

  return {
    issue(record) {
      const key = keys.current;
      const claims = { jti: newTokenId(), cred: key.credentialTag(record) };
      return jwt.sign(claims, key.key, {
        algorithm: 'HS256',
        keyid: key.id,
        issuer: TOKEN_ISSUER,
        audience,
        subject: record.user.username,
        expiresIn: expirationMinutes * 60,
      });
    },
    verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) return undefined;
      const signature = signatureOf(token);
      const known = remembered.get(signature);
      if (known?.token === token) {
        if (Date.now() < known.verified.expiresAtSeconds * 1000) return known.verified;
        remembered.delete(signature);
        return undefined;
      }
      const verified = verifyAnew(token);
      if (verified) {
        if (remembered.size >= MAX_REMEMBERED_TOKENS) remembered.delete(remembered.keys().next().value as string);
        remembered.set(signature, { token, verified });
      }
      return verified;
    },
    issuedUnder(token, record) {
      // The tag is no secret to the token's holder, and the signature already stops forgeries: a plain comparison.
      return keys.byId(token.keyId)?.credentialTag(record) === token.credentials;
    },
  };
}
