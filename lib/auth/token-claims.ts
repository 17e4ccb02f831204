import { randomBytes } from 'node:crypto';

/** The `iss` of every token this plugin issues, and the only one it accepts. */
export const TOKEN_ISSUER = 'express-workspace-auth';

/** A token's id (`jti`): 128 random bits, base64url. What a logout revokes. */
export function newTokenId(): string {
  return randomBytes(16).toString('base64url');
}

const TOKEN_ID = /^[A-Za-z0-9_-]{22}$/;
const CREDENTIAL_TAG = /^[A-Za-z0-9_-]{22}$/;

/** What a verified token says: what the bearer strategy checks against the users and the logouts in force. */
export interface VerifiedToken {
  /** `sub`. */
  readonly username: string;
  /** `jti`. */
  readonly tokenId: string;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAtSeconds: number;
  /** `cred`: the tag of the credentials the token was issued under (token-keys.ts). */
  readonly credentials: string;
  /** The header's `kid`: the key that signed it, and so the key its `cred` was made with. */
  readonly keyId: string;
}

/**
 * The claims of a token whose signature, `iss` and `aud` the JWT library checked; undefined
 * when any claim this plugin needs is missing or malformed. jsonwebtoken checks `exp` only
 * when it is there, so a token without one (as Argilla issues them) is refused here.
 */
export function readClaims(payload: unknown, keyId: string): VerifiedToken | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { sub, jti, exp, cred } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '') return undefined;
  if (typeof jti !== 'string' || !TOKEN_ID.test(jti)) return undefined;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp)) return undefined;
  if (typeof cred !== 'string' || !CREDENTIAL_TAG.test(cred)) return undefined;
  return Object.freeze({ username: sub, tokenId: jti, expiresAtSeconds: exp, credentials: cred, keyId });
}
