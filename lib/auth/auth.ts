import type { RevocationList } from '../store/revocation-list';
import type { Authenticator, PassportStrategy } from '../types';
import type { UsersIndex } from '../users/users-index';
import { API_KEY_HEADERS, createApiKeyStrategy, createApiKeyVerifier } from './api-key';
import { AuthenticatedRequests } from './authenticated-requests';
import { type BearerStrategy, createBearerStrategy, createBearerVerifier } from './bearer';
import type { Verifiers } from './credentials';
import { createPasswordStrategy } from './password-strategy';
import { withTokenAsApiKey } from './token-as-api-key';
import { createPasswordVerifier } from './passwords';
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
}

/** The auth folder's builder: every strategy, on `passport`. */
export function createAuth(settings: AuthSettings, passport: Authenticator, getUsers: () => UsersIndex, revocations: RevocationList): Auth {
  const tokens = createTokenService(settings.tokens);
  const verifyBearer = createBearerVerifier(getUsers, tokens, revocations);
  const verifiers: Verifiers = { apiKey: withTokenAsApiKey(createApiKeyVerifier(getUsers), verifyBearer), bearer: verifyBearer };
  const strategies = {
    password: createPasswordStrategy(getUsers, createPasswordVerifier(settings.ownHashBound)),
    apiKey: API_KEY_HEADERS.map((header) => createApiKeyStrategy(header, verifiers.apiKey)),
    bearer: createBearerStrategy(verifiers.bearer),
  };
  for (const strategy of [strategies.password, ...strategies.apiKey, strategies.bearer]) passport.use(strategy.name as string, strategy);
  return { strategies, verifiers, tokens, authenticated: new AuthenticatedRequests() };
}
