import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { clientKeyOf } from './client-key';
import type { Blocked, LoginFailureLimits } from './failure-limits';
import { readLoginFields } from '../auth/login-fields';
import type { LoginQueue, Ticket } from './login-queue';
import type { Refuse } from '../refusals';

/** What a login came to: only `failure` (wrong password, unknown user) counts against the client. */
export type LoginOutcome = 'success' | 'failure' | 'other';

/** The guard of the login route: the failure limits and the bounded line for the password check. */
export interface LoginGuard {
  /**
   * Before the login: refuses a blocked username or client (429) and a full line (503), both at
   * once and with Retry-After, then waits for the login's turn. A login whose client has gone
   * before its turn is dropped, never checked.
   */
  admit: RequestHandler;
  /** After the password check, before the answer: counts a failure or clears them, then frees the turn. */
  settle(req: Request, outcome: LoginOutcome): Promise<void>;
}

interface Turn {
  ticket: Ticket;
  client: string;
  username: string;
}

/** What the guard tells the plugin: the first request (the `trust proxy` check), and each login it refuses (the `rate-limited` event). */
export interface LoginGuardHooks {
  checkTrustProxy: (req: Request) => void;
  onLimited: (req: Request, kind: 'login' | 'login-client' | 'login-busy') => void;
}

export function createLoginGuard(limits: LoginFailureLimits, queue: LoginQueue, refuse: Refuse, hooks: LoginGuardHooks): LoginGuard {
  const { checkTrustProxy, onLimited } = hooks;
  const turns = new WeakMap<Request, Turn>();

  function refuseBlocked(req: Request, res: Response, next: NextFunction, blocked: Blocked): void {
    onLimited(req, blocked.code === 'too_many_failed_logins' ? 'login-client' : 'login');
    refuse(req, res, next, blocked.code, { retryAfterSeconds: blocked.retryAfterMs / 1000 });
  }

  async function admit(req: Request, res: Response, next: NextFunction): Promise<void> {
    checkTrustProxy(req);
    // A login the strategy refuses without a check (400) needs no place in line.
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    const fields = readLoginFields(username, password);
    if (typeof fields === 'string') return next();
    const client = clientKeyOf(req);
    const blocked = await limits.blocked(client, fields.username);
    if (blocked) return refuseBlocked(req, res, next, blocked);
    if (res.closed) return;

    const admission = queue.admit(client);
    if ('busyForMs' in admission) {
      onLimited(req, 'login-busy');
      return refuse(req, res, next, 'login_busy', { retryAfterSeconds: admission.busyForMs / 1000 });
    }
    const { ticket } = admission;
    // Gone before its turn: out of the line, never hashed. After its turn: the turn ends (settle also ends it).
    res.once('close', ticket.release);
    const outcome = await ticket.turn;
    if (outcome === 'cancelled') return;
    if (outcome === 'late') {
      onLimited(req, 'login-busy');
      return refuse(req, res, next, 'login_busy', { retryAfterSeconds: queue.busyForMs() / 1000 });
    }

    // Failures counted while this login waited (the same username tried at once) may block it now.
    const blockedNow = await limits.blocked(client, fields.username);
    if (blockedNow) {
      ticket.release();
      return refuseBlocked(req, res, next, blockedNow);
    }
    turns.set(req, { ticket, client, username: fields.username });
    next();
  }

  return {
    admit: function loginGuard(req, res, next) {
      admit(req, res, next).catch(next);
    },
    async settle(req, outcome) {
      const turn = turns.get(req);
      if (!turn) return;
      turns.delete(req);
      try {
        if (outcome === 'failure') await limits.failed(turn.client, turn.username);
        else if (outcome === 'success') await limits.succeeded(turn.client, turn.username);
      } finally {
        turn.ticket.release();
      }
    },
  };
}
