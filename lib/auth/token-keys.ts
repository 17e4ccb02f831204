import { createHash, createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { UserRecord } from '../types';

/** One key that signs or verifies access tokens. */
export interface SigningKey {
  /**
   * The token header's `kid`: a short digest of the key, so a token names the key to check it
   * with and a forged token costs one HMAC, not one per listed key. It tells a token holder
   * nothing the token's own HMAC signature does not already: both can only be tested against guesses of the key.
   */
  readonly id: string;
  readonly key: KeyObject;
  /**
   * The tag of a user's credentials under this key: the `cred` claim. An HMAC, keyed by a
   * key derived from this one, of the username and the bcrypt hash. Without the key it is
   * indistinguishable from random: a token holder learns nothing about the hash, not even
   * whether two users share a password; and whoever holds the key can mint tokens anyway.
   * A new hash (a password change, or the same password hashed again with a new salt) gives a new tag.
   */
  credentialTag(record: UserRecord): string;
}

function signingKey(secret: string): SigningKey {
  const bytes = Buffer.from(secret, 'utf8');
  // A key of its own for the tags (HKDF), so the tag and the token signature never share an HMAC key.
  const tagKey = Buffer.from(hkdfSync('sha256', bytes, '', 'express-workspace-auth credential tag', 32));
  // Once per record of each users version, not per request: records are immutable, and dropped with their version.
  const tags = new WeakMap<UserRecord, string>();
  return {
    id: createHash('sha256').update(`express-workspace-auth key id\0${secret}`).digest('base64url').slice(0, 11),
    // A KeyObject made once, not the string: given a string, jsonwebtoken 9 first tries to
    // parse it as a PEM public/private key on every call, and that failing attempt costs
    // ~0.4 ms per verify and ~0.6 ms per sign (30x the HMAC itself). Same key bytes, same tokens.
    key: createSecretKey(bytes),
    credentialTag(record) {
      let tag = tags.get(record);
      if (tag === undefined) {
        // 128 bits: a forged tag is out of reach, and the token stays short.
        const hmac = createHmac('sha256', tagKey).update(`${record.user.username}\0${record.hashedPassword}`);
        tag = hmac.digest().subarray(0, 16).toString('base64url');
        tags.set(record, tag);
      }
      return tag;
    },
  };
}

/** The current key, which signs new tokens, and every key whose tokens still verify, by `kid`. */
export interface SigningKeys {
  readonly current: SigningKey;
  byId(id: string): SigningKey | undefined;
}

/** Keys already checked by the options (at least 32 bytes each). A previous key equal to the current one is ignored. */
export function createSigningKeys(current: string, previous: readonly string[]): SigningKeys {
  const keys = [current, ...previous].map(signingKey);
  const byId = new Map<string, SigningKey>();
  for (const key of keys) if (!byId.has(key.id)) byId.set(key.id, key);
  return { current: keys[0] as SigningKey, byId: (id) => byId.get(id) };
}
