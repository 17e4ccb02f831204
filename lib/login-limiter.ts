import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Refuse } from './refusals';
import type { LoginRateLimitOptions } from './types';

function usernameOf(req: Request): string {
  const username: unknown = (req.body as { username?: unknown } | undefined)?.username;
  return typeof username === 'string' ? username.slice(0, 256) : '';
}

/**
 * Counts failed logins per username and client (successful ones are not counted), so one
 * locked username locks out no one else, and API keys are never limited by it.
 */
export function createLoginLimiter(options: LoginRateLimitOptions, refuse: Refuse, onLimited: (req: Request) => void): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs ?? 15 * 60 * 1000,
    limit: options.limit ?? 10,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(options.store ? { store: options.store } : {}),
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}\u0000${usernameOf(req)}`,
    handler: (req, res, next) => {
      onLimited(req);
      refuse(req, res, next, 'too_many_login_attempts');
    },
  });
}
