import type { Request } from 'express';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { Strategy as LocalStrategy } from 'passport-local';
import { Strategy as PassportStrategy } from 'passport-strategy';
import { MAX_CREDENTIAL_LENGTH } from './limits';
import { refusal, type Refusal } from './refusals';
import { dummyHash, type PasswordVerifier } from './passwords';
import type { RevocationList } from './revocation-list';
import type { TokenService, VerifiedToken } from './tokens';
import type { WorkspaceUser } from './types';
import type { UsersIndex } from './users-index';

/** The headers an API key may come in: ours, and what the Argilla and Rubrix clients send. */
export const API_KEY_HEADERS = ['X-API-Key', 'X-Argilla-Api-Key', 'X-Rubrix-Api-Key'] as const;

/** Strategy names on the Passport instance. */
export const STRATEGY_NAMES = {
  password: 'workspace-password',
  apiKey: (header: string) => `workspace-apikey-${header.toLowerCase()}`,
  bearer: 'workspace-bearer',
} as const;

type GetUsers = () => UsersIndex;

/** Passport's verify callback, as our strategies call it. */
type Done = (error: Error | null, user?: WorkspaceUser | false, info?: Refusal | BearerCredential) => void;

/**
 * Passport types every user as the app's own `Express.User`, which the plugin leaves alone.
 * Ours pass through Passport untyped; the app reads them back typed with `auth.userOf(req)`.
 */
export function asPassportUser(user: WorkspaceUser): Express.User {
  return user as unknown as Express.User;
}

/** passport-local also reads credentials from the query string; URLs end up in logs, so only the body counts. */
class BodyOnlyLocalStrategy extends LocalStrategy {
  override authenticate(req: Request, options?: object): void {
    super.authenticate(Object.create(req, { query: { value: {} } }) as Request, options);
  }
}

export function createPasswordStrategy(getUsers: GetUsers, verifyPasswordOf: PasswordVerifier): LocalStrategy {
  const verify = async (username: unknown, password: unknown): Promise<[WorkspaceUser | false, Refusal?]> => {
    if (typeof username !== 'string' || typeof password !== 'string' || username.length > MAX_CREDENTIAL_LENGTH || password.length > MAX_CREDENTIAL_LENGTH) {
      return [false, refusal('invalid_login_fields')];
    }
    const users = getUsers();
    const record = users.findByUsername(username);
    // Unknown users are checked against a dummy hash of the usual cost: same answer, same time.
    const hash = record?.hashedPassword ?? (await dummyHash(users.typicalCost));
    const matches = await verifyPasswordOf(password, hash);
    if (!record || !matches) return [false, refusal('invalid_credentials')];
    if (record.user.disabled) return [false, refusal('user_disabled')];
    return [record.user];
  };
  const strategy = new BodyOnlyLocalStrategy({ session: false }, (username, password, done) => {
    verify(username, password).then(
      ([user, refusal]) => done(null, user && asPassportUser(user), refusal),
      (error: Error) => done(error),
    );
  });
  strategy.name = STRATEGY_NAMES.password;
  return strategy;
}

/** A credential's verdict: the user it admits, or why not. */
export type Verdict = { user: WorkspaceUser; credential?: BearerCredential } | Refusal;

// Made once: the verdicts of a refused credential are the same for every request.
const INVALID_API_KEY = refusal('invalid_api_key');
const INVALID_TOKEN = refusal('invalid_token');
const USER_DISABLED = refusal('user_disabled');

/** Every decision on an API key: the user whose key it is, if they are not disabled. */
export function createApiKeyVerifier(getUsers: GetUsers): (apiKey: string) => Verdict {
  return function verifyApiKey(apiKey) {
    const record = apiKey.length <= MAX_CREDENTIAL_LENGTH ? getUsers().findByApiKey(apiKey) : undefined;
    if (!record) return INVALID_API_KEY;
    return record.user.disabled ? USER_DISABLED : { user: record.user };
  };
}

/** Hands a verdict to a Passport verify callback. */
function report(verdict: Verdict, done: Done): void {
  if ('code' in verdict) done(null, false, verdict);
  else done(null, verdict.user, verdict.credential);
}

/** Hands a verdict to a Passport verify callback once it is settled; a failed lookup is Passport's error. */
function reportSettled(verdict: Verdict | Promise<Verdict>, done: Done): void {
  if (!(verdict instanceof Promise)) {
    report(verdict, done);
    return;
  }
  verdict.then(
    (settled) => report(settled, done),
    (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
  );
}

/** The verdict on an API-key header, with the request's `Authorization` header beside it (see `withTokenAsApiKey`). */
export type ApiKeyVerifier = (apiKey: string, authorization: string | undefined) => Verdict | Promise<Verdict>;

/** Reads the request too: an access token given as the API key is authenticated by its Bearer copy (see `withTokenAsApiKey`). */
export function createApiKeyStrategy(header: string, verifyApiKey: ApiKeyVerifier): HeaderAPIKeyStrategy {
  const strategy = new HeaderAPIKeyStrategy({ header, prefix: '' }, true, (apiKey: string, done: Done, req?: Request) =>
    reportSettled(verifyApiKey(apiKey, req?.headers.authorization), done),
  );
  strategy.name = STRATEGY_NAMES.apiKey(header);
  return strategy;
}

/** What the bearer strategy authenticated (Passport's `info` on success): an access token, which a logout revokes, or an API key. */
export type BearerCredential = { kind: 'access-token'; token: VerifiedToken } | { kind: 'api-key' };


/**
 * `Authorization: Bearer <token>`, read from that header only (passport-http-bearer also
 * reads `?access_token=`, and credentials must never come from URLs).
 */
export class BearerStrategy extends PassportStrategy {
  name = STRATEGY_NAMES.bearer;

  constructor(private readonly verify: (token: string, done: Done) => void) {
    super();
  }

  override authenticate(req: Request): void {
    const token = bearerTokenOf(req.headers.authorization);
    if (token === undefined) {
      this.fail(INVALID_TOKEN, 401);
      return;
    }
    this.verify(token, (error, user, info) => {
      if (error) this.error(error);
      else if (user) this.success(user, info);
      else this.fail(info, 401);
    });
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined for any other value. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer +([^\s]+) *$/i.exec(authorization ?? '');
  return match?.[1] || undefined;
}

/**
 * Every decision on a Bearer credential: an access token whose signature, claims, logout and
 * credentials are all checked on every request, else an API key (the Argilla client sends its
 * key this way). A token's user is looked up now, not trusted from the token: a removed
 * user, or one whose password changed since the token was issued, is refused at once.
 */
export function createBearerVerifier(getUsers: GetUsers, tokens: TokenService, revocations: RevocationList): (presented: string) => Verdict | Promise<Verdict> {
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

const API_KEY_CREDENTIAL: BearerCredential = { kind: 'api-key' };

export function createBearerStrategy(verifyBearer: (presented: string) => Verdict | Promise<Verdict>): BearerStrategy {
  return new BearerStrategy((presented, done) => reportSettled(verifyBearer(presented), done));
}
