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
   * before its turn is dropped, never checked. A login that goes on holds its turn until `settle`.
   */
  admit: RequestHandler;
  /** After the password check, before the answer: counts a failure or clears them, then ends the turn (also when counting fails). */
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

  function refuseBusy(req: Request, res: Response, next: NextFunction, busyForMs: number): void {
    onLimited(req, 'login-busy');
    refuse(req, res, next, 'login_busy', { retryAfterSeconds: busyForMs / 1000 });
  }

  /** Whether the login may go on in its turn: its client is still there and no limit blocks it now. The turn ends otherwise. */
  async function stillWanted(req: Request, res: Response, next: NextFunction, turn: Turn): Promise<boolean> {
    try {
      // Failures counted while this login waited (the same username tried at once) may block it now.
      const blocked = res.closed ? undefined : await limits.blocked(turn.client, turn.username);
      if (!res.closed && !blocked) return true;
      turn.ticket.release();
      if (blocked) refuseBlocked(req, res, next, blocked);
      return false;
    } catch (error) {
      turn.ticket.release();
      throw error;
    }
  }

  async function admit(req: Request, res: Response, next: NextFunction): Promise<void> {
    checkTrustProxy(req);
    // A login the route refuses without a check (400) needs no place in line.
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    const fields = readLoginFields(username, password);
    if (typeof fields === 'string') return next();
    const client = clientKeyOf(req);
    const blocked = await limits.blocked(client, fields.username);
    if (blocked) return refuseBlocked(req, res, next, blocked);
    if (res.closed) return;

    const admission = queue.admit(client, fields.username);
    if ('busyForMs' in admission) return refuseBusy(req, res, next, admission.busyForMs);
    const { ticket } = admission;
    // Gone before its turn: out of the line, never hashed. Once its turn has come, the turn lasts
    // until settle, however the client goes: its check, if it started, still takes the place.
    res.once('close', ticket.cancel);
    const outcome = await ticket.turn;
    if (outcome === 'cancelled') return;
    if (outcome !== 'now') return refuseBusy(req, res, next, queue.busyForMs());

    const turn = { ticket, client, username: fields.username };
    if (!(await stillWanted(req, res, next, turn))) return;
    turns.set(req, turn);
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
