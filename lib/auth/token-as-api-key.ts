import type { ApiKeyVerifier } from './api-key';
import { bearerTokenOf } from './bearer';
import type { Verdict } from './verdict';

/**
 * An API-key verdict that lets an access token through as Argilla does. The Argilla client given
 * an access token as its `api_key` sends that token in its API-key headers and as a Bearer token;
 * Argilla finds no user for the key, then reads the Bearer token. So here: only when the key
 * matches no user (a disabled user's key stays refused), and only an access token (an API key as
 * Bearer beside an unknown key is not a second guess); otherwise the key's own refusal stands.
 */
export function withTokenAsApiKey(verifyApiKey: (apiKey: string) => Verdict, verifyBearer: (token: string) => Verdict | Promise<Verdict>): ApiKeyVerifier {
  const admitsAnAccessToken = (verdict: Verdict): boolean => !('code' in verdict) && verdict.credential?.kind === 'access-token';
  return function verifyApiKeyOrToken(apiKey, authorization) {
    const byKey = verifyApiKey(apiKey);
    if (!('code' in byKey) || byKey.code !== 'invalid_api_key') return byKey;
    const token = bearerTokenOf(authorization);
    if (token === undefined) return byKey;
    const byToken = verifyBearer(token);
    if (!(byToken instanceof Promise)) return admitsAnAccessToken(byToken) ? byToken : byKey;
    return byToken.then((settled) => (admitsAnAccessToken(settled) ? settled : byKey));
  };
}
