import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** Access tokens: HS256 JWTs whose subject is the username. Nothing else is trusted from them. */
export interface TokenService {
  issue(username: string): string;
  /** The username the token was issued to, or undefined for a bad, expired or forged token. */
  verify(token: string): string | undefined;
}

// A real token is a few hundred characters; anything far longer is refused before parsing.
const MAX_TOKEN_LENGTH = 4096;

export function createTokenService(secretKey: string, expirationMinutes: number): TokenService {
  // A KeyObject made once, not the string: given a string, jsonwebtoken 9 first tries to
  // parse it as a PEM public/private key on every call, and that failing attempt costs
  // ~0.4 ms per verify and ~0.6 ms per sign (30x the HMAC itself). Same key bytes, same tokens.
  const key = createSecretKey(Buffer.from(secretKey, 'utf8'));
  return {
    issue(username) {
      return jwt.sign({}, key, { algorithm: 'HS256', subject: username, expiresIn: expirationMinutes * 60 });
    },
    verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) return undefined;
      try {
        // Pinning the algorithm refuses `alg: none` and tokens signed any other way.
        const payload = jwt.verify(token, key, { algorithms: ['HS256'] });
        return typeof payload === 'object' && typeof payload.sub === 'string' ? payload.sub : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
