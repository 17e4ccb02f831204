import type { Request } from 'express';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { Strategy as LocalStrategy } from 'passport-local';
import { Strategy as PassportStrategy } from 'passport-strategy';
import { MAX_CREDENTIAL_LENGTH } from './limits';
import { refusal, type Refusal } from './refusals';
import { dummyHash, type PasswordVerifier } from './passwords';
import type { RevocationList } from './revocation-list';
import type { TokenService, VerifiedToken } from './tokens';
import type { UserRecord, WorkspaceUser } from './types';
import type { UsersIndex } from './users-index';

/** The headers an API key may come in: ours, and what the Argilla and Rubrix clients send. */
export const API_KEY_HEADERS = ['X-API-Key', 'X-Argilla-Api-Key', 'X-Rubrix-Api-Key'] as const;

/** Strategy names on the Passport instance. */
export const STRATEGY_NAMES = {
  password: 'workspace-password',
  apiKey: (header: string) => `workspace-apikey-${header.toLowerCase()}`,
  bearer: 'workspace-bearer',
} as const;

type Done = (error: Error | null, user?: WorkspaceUser | false, info?: Refusal) => void;
type GetUsers = () => UsersIndex;

/**
 * Passport types every user as the app's own `Express.User`, which the plugin leaves alone.
 * Ours pass through Passport untyped; the app reads them back typed with `auth.userOf(req)`.
 */
export function asPassportUser(user: WorkspaceUser): Express.User {
  return user as unknown as Express.User;
}

/** The user of a record whose credentials were verified, or the refusal of a disabled user. */
function admit(record: UserRecord, done: Done): void {
  if (record.user.disabled) done(null, false, refusal('user_disabled'));
  else done(null, record.user);
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

export function createApiKeyStrategy(header: string, getUsers: GetUsers): HeaderAPIKeyStrategy {
  const strategy = new HeaderAPIKeyStrategy({ header, prefix: '' }, false, (apiKey: string, done: Done) => {
    const record = apiKey.length <= MAX_CREDENTIAL_LENGTH ? getUsers().findByApiKey(apiKey) : undefined;
    if (!record) return done(null, false, refusal('invalid_api_key'));
    admit(record, done);
  });
  strategy.name = STRATEGY_NAMES.apiKey(header);
  return strategy;
}

/** What the bearer strategy authenticated (Passport's `info` on success): an access token, which a logout revokes, or an API key. */
export type BearerCredential = { kind: 'access-token'; token: VerifiedToken } | { kind: 'api-key' };

type BearerDone = (error: Error | null, user?: WorkspaceUser | false, info?: Refusal | BearerCredential) => void;

/**
 * `Authorization: Bearer <token>`, read from that header only (passport-http-bearer also
 * reads `?access_token=`, and credentials must never come from URLs).
 */
export class BearerStrategy extends PassportStrategy {
  name = STRATEGY_NAMES.bearer;

  constructor(private readonly verify: (token: string, done: BearerDone) => void) {
    super();
  }

  override authenticate(req: Request): void {
    const match = /^Bearer +([^\s]+) *$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) {
      this.fail(refusal('invalid_token'), 401);
      return;
    }
    this.verify(match[1], (error, user, info) => {
      if (error) this.error(error);
      else if (user) this.success(user, info);
      else this.fail(info, 401);
    });
  }
}

/**
 * Every decision on a Bearer credential: an access token whose signature, claims, logout and
 * credentials are all checked on every request, else an API key (the Argilla client sends its
 * key this way). A token's user is looked up now, not trusted from the token: a removed
 * user, or one whose password changed since the token was issued, is refused at once.
 */
export function createBearerStrategy(getUsers: GetUsers, tokens: TokenService, revocations: RevocationList): BearerStrategy {
  const admitToken = (token: VerifiedToken, done: BearerDone): void => {
    const record = getUsers().findByUsername(token.username);
    if (!record || !tokens.issuedUnder(token, record)) done(null, false, refusal('invalid_token'));
    else if (record.user.disabled) done(null, false, refusal('user_disabled'));
    else done(null, record.user, { kind: 'access-token', token });
  };
  return new BearerStrategy((presented, done) => {
    // A token first: a remembered one costs a Map lookup, where the API-key lookup hashes what was presented.
    const token = tokens.verify(presented);
    if (!token) {
      const byApiKey = presented.length <= MAX_CREDENTIAL_LENGTH ? getUsers().findByApiKey(presented) : undefined;
      if (!byApiKey) return done(null, false, refusal('invalid_token'));
      if (byApiKey.user.disabled) return done(null, false, refusal('user_disabled'));
      return done(null, byApiKey.user, { kind: 'api-key' });
    }
    // In memory the answer is synchronous, and so is the whole check; a shared store may answer later.
    const revoked = revocations.isRevoked(token.tokenId);
    if (revoked === false) return admitToken(token, done);
    if (revoked === true) return done(null, false, refusal('invalid_token'));
    revoked.then(
      (isRevoked) => (isRevoked ? done(null, false, refusal('invalid_token')) : admitToken(token, done)),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  });
}
