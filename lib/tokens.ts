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
  return {
    issue(username) {
      return jwt.sign({}, secretKey, { algorithm: 'HS256', subject: username, expiresIn: expirationMinutes * 60 });
    },
    verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) return undefined;
      try {
        // Pinning the algorithm refuses `alg: none` and tokens signed any other way.
        const payload = jwt.verify(token, secretKey, { algorithms: ['HS256'] });
        return typeof payload === 'object' && typeof payload.sub === 'string' ? payload.sub : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
