import type { IncomingHttpHeaders } from 'node:http';
import type { Request } from 'express';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { MAX_CREDENTIAL_LENGTH } from '../limits';
import { type Refusal, refusal } from '../refusals';
import type { PassportStrategy } from '../types';
import type { UsersIndex } from '../users/users-index';
import { type Done, INVALID_API_KEY, reportSettled, USER_DISABLED, type Verdict } from './verdict';

/** The headers an API key may come in: ours, and what the Argilla and Rubrix clients send. */
export const API_KEY_HEADERS = ['X-API-Key', 'X-Argilla-Api-Key', 'X-Rubrix-Api-Key'] as const;

// Node gives header names in lowercase.
const [OURS, ARGILLA, RUBRIX] = API_KEY_HEADERS.map((header) => header.toLowerCase()) as [string, string, string];
const CONFLICTING_CREDENTIALS = refusal('conflicting_credentials');

/**
 * The API key a request presents, in the first of API_KEY_HEADERS it has: undefined without
 * one, a refusal when several headers carry different keys. Not checked against the users.
 */
export function presentedApiKey(headers: IncomingHttpHeaders): string | string[] | undefined | Refusal {
  const ours = headers[OURS];
  const argilla = headers[ARGILLA];
  const rubrix = headers[RUBRIX];
  const apiKey = ours ?? argilla ?? rubrix;
  if (apiKey === undefined) return undefined;
  if ((argilla !== undefined && argilla !== apiKey) || (rubrix !== undefined && rubrix !== apiKey)) return CONFLICTING_CREDENTIALS;
  return apiKey;
}

/** Every decision on an API key: the user whose key it is, if they are not disabled. */
export function createApiKeyVerifier(getUsers: () => UsersIndex): (apiKey: string) => Verdict {
  return function verifyApiKey(apiKey) {
    const record = apiKey.length <= MAX_CREDENTIAL_LENGTH ? getUsers().findByApiKey(apiKey) : undefined;
    if (!record) return INVALID_API_KEY;
    return record.user.disabled ? USER_DISABLED : { user: record.user };
  };
}

/** Strategy names on the Passport instance. */
const apiKeyStrategyName = (header: string): string => `workspace-apikey-${header.toLowerCase()}`;

/** The verdict on an API-key header, with the request's `Authorization` header beside it (see `withTokenAsApiKey`). */
export type ApiKeyVerifier = (apiKey: string, authorization: string | undefined) => Verdict | Promise<Verdict>;

/**
 * passport-headerapikey for one of API_KEY_HEADERS, deciding as `verifyApiKey` does. It reads the
 * request too: an access token given as the API key is authenticated by its Bearer copy.
 */
export function createApiKeyStrategy(header: string, verifyApiKey: ApiKeyVerifier): PassportStrategy {
  const strategy = new HeaderAPIKeyStrategy({ header, prefix: '' }, true, (apiKey: string, done: Done, req?: Request) =>
    reportSettled(verifyApiKey(apiKey, req?.headers.authorization), done),
  );
  strategy.name = apiKeyStrategyName(header);
  return strategy;
}
