import { EventEmitter } from 'node:events';
import type { Request } from 'express';
import type { LoginFailureReason, Logger } from '../types';
import type { AuthenticatedRequests } from '../auth/authenticated-requests';
import type { RefusalObserver } from '../refusals';
import type { UsersIndex } from '../users/users-index';
import type { UsersSource } from '../users/users-source';


/** Where a request came from and what it asked for; never a credential. */
export interface RequestFacts {
  ip: string;
  method: string;
  /** The path without the query string. */
  path: string;
}

/**
 * What the plugin tells its listeners. No payload ever holds a password, API key, hash or
 * token; a login's `username` is given only when it names a user of the file, so a password
 * typed into the username field never reaches a log.
 */
export interface AuthEvents {
  /** A new version of the users file is in force. */
  reload: [users: UsersIndex];
  /** A changed users file was refused; the last good users stay in force. */
  'reload-error': [error: Error];
  login: [event: { username: string; ip: string }];
  'login-failed': [event: { username?: string; ip: string; reason: LoginFailureReason }];
  'rate-limited': [event: { kind: string; ip: string }];
  refused: [event: RequestFacts & { code: string; status: number; username?: string; workspace?: string }];
}

export function requestFacts(req: Request): RequestFacts {
  return { ip: req.ip ?? req.socket.remoteAddress ?? '', method: req.method, path: req.originalUrl.split('?', 1)[0] ?? '' };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * The plugin's events. A listener that throws, or an async one that rejects, is the app's bug,
 * but must neither turn an answer into a 500, nor keep the other listeners from hearing, nor end
 * the process: its error is logged, once, and the request goes on.
 */
export class AuthEventEmitter extends EventEmitter<AuthEvents> {
  constructor(private readonly logger: Logger) {
    super();
  }

  tell<Name extends keyof AuthEvents>(name: Name, ...payload: AuthEvents[Name]): void {
    // Each listener on its own (a `once` one through its wrapper, which removes it), as `emit` would call them.
    for (const listener of this.rawListeners(name) as Array<(...args: AuthEvents[Name]) => unknown>) {
      try {
        const result = listener.apply(this, payload);
        if (isThenable(result)) result.then(undefined, (error: unknown) => this.failed(name, 'rejected', error));
      } catch (error) {
        this.failed(name, 'threw', error);
      }
    }
  }

  private failed(name: keyof AuthEvents, how: string, error: unknown): void {
    this.logger.error(`A listener of the "${String(name)}" event ${how}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The users source's reloads, logged and told as the plugin's `reload` and `reload-error` events. */
export function relayReloads(source: UsersSource, events: AuthEventEmitter, logger: Logger): void {
  source.on('reload', (users) => {
    logger.info(`Reloaded ${users.size} users from ${users.source}.`);
    events.tell('reload', users);
  });
  source.on('reload-error', (error) => {
    const inForce = source.current.unavailable ? 'no one gets in until it loads' : 'the last good users stay in force';
    logger.error(`Refused the changed users file; ${inForce}.\n${error.message}`);
    events.tell('reload-error', error);
  });
}

/** Tells every refusal as a `refused` event, with the user this plugin authenticated, if any. */
export function refusalsTold(events: AuthEventEmitter, authenticated: AuthenticatedRequests): RefusalObserver {
  return (req, { status, code }, details) => {
    const username = authenticated.userOf(req)?.username;
    events.tell('refused', { code, status, ...requestFacts(req), ...(username && { username }), ...(details?.workspace && { workspace: details.workspace }) });
  };
}
