import type { Request } from 'express';
import { refusal } from '../refusals';
import { type ApiKeyVerifier, presentedApiKey } from './api-key';
import { bearerTokenOf } from './bearer';
import { INVALID_API_KEY, INVALID_TOKEN, type Verdict } from './verdict';

/** The verify functions of the strategies: what Passport would call, called by `authenticate` without its per-request machinery. */
export interface Verifiers {
  apiKey: ApiKeyVerifier;
  bearer: (token: string) => Verdict | Promise<Verdict>;
}

const MISSING_CREDENTIALS = refusal('missing_credentials');

/**
 * The verdict on a request's credentials, as the strategies decide it. An API-key header wins
 * over a Bearer token (the Argilla client sends both), unless it matches no user and the Bearer
 * token is an access token; different keys in several headers are refused.
 */
export function judgeCredentials(req: Request, verifiers: Verifiers): Verdict | Promise<Verdict> {
  const { headers } = req;
  const apiKey = presentedApiKey(headers);
  if (apiKey !== undefined) {
    if (typeof apiKey === 'object' && 'code' in apiKey) return apiKey;
    // passport-headerapikey fails an empty header before its verify runs.
    return typeof apiKey === 'string' && apiKey !== '' ? verifiers.apiKey(apiKey, headers.authorization) : INVALID_API_KEY;
  }
  if (headers.authorization === undefined) return MISSING_CREDENTIALS;
  const token = bearerTokenOf(headers.authorization);
  return token === undefined ? INVALID_TOKEN : verifiers.bearer(token);
}
