import type { RevocationList } from '../store/revocation-list';
import type { Authenticator, PassportStrategy } from '../types';
import type { UsersIndex } from '../users/users-index';
import { API_KEY_HEADERS, createApiKeyStrategy, createApiKeyVerifier } from './api-key';
import { AuthenticatedRequests } from './authenticated-requests';
import { type BearerStrategy, createBearerStrategy, createBearerVerifier } from './bearer';
import type { Verifiers } from './credentials';
import type { ConcurrencyLimit } from '../util/concurrency-limit';
import { createLoginJudge, createPasswordStrategy, type LoginJudge } from './password-strategy';
import { compareInTurn, createPasswordVerifier, hashLimitOf } from './passwords';
import { withTokenAsApiKey } from './token-as-api-key';
import { createTokenService, type TokenService, type TokenServiceOptions } from './tokens';

export interface AuthSettings {
  tokens: TokenServiceOptions;
  /** This instance's own bound on bcrypt checks at once; undefined: the process-wide one. */
  ownHashBound: number | undefined;
}

/** Who a credential is: the strategies (registered on the app's Passport), their verifiers, the tokens, and the requests authenticated. */
export interface Auth {
  /** Typed as Passport's own types see them: the package's declarations name no strategy package (their types are not the app's to install). */
  strategies: { password: PassportStrategy; apiKey: PassportStrategy[]; bearer: BearerStrategy };
  verifiers: Verifiers;
  tokens: TokenService;
  authenticated: AuthenticatedRequests;
  /** The password logins of the plugin's own route: the bound on hashes its login line takes turns from, and the judge for a login in its turn. */
  logins: { hashLimit: ConcurrencyLimit; judgeInTurn: LoginJudge };
}

/** The auth folder's builder: every strategy, on `passport`. */
export function createAuth(settings: AuthSettings, passport: Authenticator, getUsers: () => UsersIndex, revocations: RevocationList): Auth {
  const tokens = createTokenService(settings.tokens);
  const verifyBearer = createBearerVerifier(getUsers, tokens, revocations);
  const verifiers: Verifiers = { apiKey: withTokenAsApiKey(createApiKeyVerifier(getUsers), verifyBearer), bearer: verifyBearer };
  const hashLimit = hashLimitOf(settings.ownHashBound);
  const strategies = {
    // Mounted by an app on a route of its own, with no line before it: each check waits for a place of the bound.
    password: createPasswordStrategy(createLoginJudge(getUsers, createPasswordVerifier(hashLimit))),
    apiKey: API_KEY_HEADERS.map((header) => createApiKeyStrategy(header, verifiers.apiKey)),
    bearer: createBearerStrategy(verifiers.bearer),
  };
  for (const strategy of [strategies.password, ...strategies.apiKey, strategies.bearer]) passport.use(strategy.name as string, strategy);
  const logins = { hashLimit, judgeInTurn: createLoginJudge(getUsers, compareInTurn) };
  return { strategies, verifiers, tokens, authenticated: new AuthenticatedRequests(), logins };
}
