import type { Request } from 'express';
import { createTrustProxyCheck } from './client-key';
import { KeyAndTokenFailureLimit, LoginFailureLimits } from './failure-limits';
import { hashMsAt } from '../auth/hash-timing';
import { createLoginGuard, type LoginGuard } from './login-guard';
import type { AuthenticateGuard } from '../http/authenticate';
import { LoginQueue } from './login-queue';
import type { Configuration } from '../options/parse-options';
import { DEFAULT_MAX_CONCURRENT_HASHES } from '../auth/passwords';
import type { Refuse } from '../refusals';
import type { RevocationList } from '../store/revocation-list';
import type { FailureReport } from '../store/shared-revocations';
import { createSharedStore } from '../store/store';
import type { UsersIndex } from '../users/users-index';

/** The defences against guessing and floods, built from the options: what the routes and `authenticate` use. */
export interface LoginProtection {
  loginGuard: LoginGuard;
  authenticateGuard: AuthenticateGuard;
  /** Warns once, at the first request, when the app trusts every X-Forwarded-For. */
  checkTrustProxy: (req: Request) => void;
  /** The logged-out tokens in Redis when the `redis` option is given, with where its failures go. */
  sharedRevocations: { store: RevocationList; report: FailureReport } | undefined;
  close(): void;
}

/** Which limit refused a request, for the `rate-limited` event. */
export type LimitKind = 'login' | 'login-client' | 'login-busy' | 'key-and-token';

export function createLoginProtection(
  config: Configuration,
  getUsers: () => UsersIndex,
  refuse: Refuse,
  onLimited: (req: Request, kind: LimitKind) => void,
): LoginProtection {
  const store = createSharedStore(config.redis, config.redisKeyPrefix, config.logger);
  const { loginRateLimit: logins, keyAndTokenRateLimit: keys } = config;
  const loginLimits = new LoginFailureLimits(
    store.counter({ name: 'failed-logins-username-client:', limit: logins.limit, windowMs: logins.windowMs }),
    store.counter({ name: 'failed-logins-client:', limit: logins.clientLimit, windowMs: logins.windowMs }),
    { perUsername: logins.limit, perClient: logins.clientLimit },
  );
  // Times one check at the file's usual cost now (and makes its dummy hash), before the first login needs it.
  hashMsAt(getUsers().typicalCost);
  const queue = new LoginQueue({
    concurrency: config.maxConcurrentHashes ?? DEFAULT_MAX_CONCURRENT_HASHES,
    maxWaitMs: config.loginQueue.maxWaitMs,
    clientShare: config.loginQueue.clientShare,
    // Until logins have been timed here: one check at the cost most users of the file have.
    initialJobMs: () => hashMsAt(getUsers().typicalCost),
  });
  const checkTrustProxy = createTrustProxyCheck(config.logger);
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
    sharedRevocations: store.revocations,
    close: () => store.close(),
  };
}
