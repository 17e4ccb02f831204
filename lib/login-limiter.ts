import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import { sendRefusal } from './errors';

export interface LoginRateLimitOptions {
  /** How long failed logins are remembered, in milliseconds. Default: 15 minutes. */
  windowMs?: number;
  /** Failed logins allowed per username and client within the window. Default: 10. */
  limit?: number;
  /**
   * Where counts are kept. Default: in this process's memory. With several instances,
   * pass a shared store (e.g. `rate-limit-redis`) so the limit holds across them.
   */
  store?: Store;
}

function usernameOf(req: Request): string {
  const username: unknown = (req.body as { username?: unknown } | undefined)?.username;
  return typeof username === 'string' ? username.slice(0, 256) : '';
}

/**
 * Counts failed logins per username and client (successful ones are not counted), so one
 * locked username locks out no one else, and API keys are never limited by it.
 */
export function createLoginLimiter(options: LoginRateLimitOptions, realm: string): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs ?? 15 * 60 * 1000,
    limit: options.limit ?? 10,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(options.store ? { store: options.store } : {}),
    keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}\u0000${usernameOf(req)}`,
    handler: (_req, res) => sendRefusal(res, 'too_many_login_attempts', realm),
  });
}
