import type { Request } from 'express';
import { hashMsAt } from '../auth/hash-timing';
import type { Store } from '../store/store';
import type { Refuse } from '../refusals';
import type { KeyAndTokenRateLimitOptions, LoginQueueOptions, LoginRateLimitOptions, Logger } from '../types';
import type { UsersIndex } from '../users/users-index';
import type { ConcurrencyLimit } from '../util/concurrency-limit';
import { createTrustProxyCheck } from './client-key';
import { KeyAndTokenFailureLimit, LoginFailureLimits } from './failure-limits';
import { createLoginGuard, type LoginGuard } from './login-guard';
import { LoginQueue } from './login-queue';

/** Which limit refused a request, for the `rate-limited` event. */
export type LimitKind = 'login' | 'login-client' | 'login-busy' | 'key-and-token';

export interface ProtectionSettings {
  loginRateLimit: Required<LoginRateLimitOptions>;
  keyAndTokenRateLimit: Required<KeyAndTokenRateLimitOptions>;
  loginQueue: Required<LoginQueueOptions>;
  logger: Logger;
}

/** The per-client limit on invalid API keys and tokens, and the one-time `trust proxy` check: what `authenticate` uses. */
export interface AuthenticateGuard {
  keyAndTokenFailures: KeyAndTokenFailureLimit;
  checkTrustProxy: (req: Request) => void;
  /** Told when a client is refused for too many invalid keys and tokens (the `rate-limited` event). */
  onLimited: (req: Request) => void;
}

/** The defences against guessing and floods: what the routes and `authenticate` use. */
export interface LoginProtection {
  loginGuard: LoginGuard;
  authenticateGuard: AuthenticateGuard;
  /** Warns once, at the first request, when the app trusts every X-Forwarded-For. */
  checkTrustProxy: (req: Request) => void;
}

/** The protection folder's builder; the login line takes its turns from `hashLimit`, the bound the password checks run in. */
export function createProtection(
  settings: ProtectionSettings,
  hashLimit: ConcurrencyLimit,
  store: Pick<Store, 'counter'>,
  getUsers: () => UsersIndex,
  refuse: Refuse,
  onLimited: (req: Request, kind: LimitKind) => void,
): LoginProtection {
  const { loginRateLimit: logins, keyAndTokenRateLimit: keys } = settings;
  const loginLimits = new LoginFailureLimits(
    store.counter({ name: 'failed-logins-username-client:', limit: logins.limit, windowMs: logins.windowMs }),
    store.counter({ name: 'failed-logins-client:', limit: logins.clientLimit, windowMs: logins.windowMs }),
    { perUsername: logins.limit, perClient: logins.clientLimit },
  );
  // Times one check at the file's usual cost now (and makes its dummy hash), before the first login needs it.
  hashMsAt(getUsers().typicalCost);
  const queue = new LoginQueue({
    hashes: hashLimit,
    maxWaitMs: settings.loginQueue.maxWaitMs,
    clientShare: settings.loginQueue.clientShare,
    accountShare: settings.loginQueue.accountShare,
    // Until logins have been timed here: one check at the cost most users of the file have.
    initialJobMs: () => hashMsAt(getUsers().typicalCost),
  });
  const checkTrustProxy = createTrustProxyCheck(settings.logger);
  return {
    loginGuard: createLoginGuard(loginLimits, queue, refuse, { checkTrustProxy, onLimited }),
    authenticateGuard: {
      keyAndTokenFailures: new KeyAndTokenFailureLimit(
        store.counter({ name: 'failed-keys-and-tokens-client:', limit: keys.limit, windowMs: keys.windowMs }),
        keys.limit,
      ),
      checkTrustProxy,
      onLimited: (req) => onLimited(req, 'key-and-token'),
    },
    checkTrustProxy,
  };
}
