import { EventEmitter } from 'node:events';
import type { Request } from 'express';
import type { Logger } from '../types';
import type { UsersIndex } from '../users/users-index';

/** Why a login failed, for operators (the client is told only "wrong username or password"). */
export type LoginFailureReason = 'unknown_user' | 'wrong_password' | 'user_disabled' | 'invalid_login_fields' | 'missing_login_fields';

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

/**
 * The plugin's events. A listener that throws is the app's bug, but must not turn a refusal
 * into a 500: its error is logged and the request goes on.
 */
export class AuthEventEmitter extends EventEmitter<AuthEvents> {
  constructor(private readonly logger: Logger) {
    super();
  }

  tell<Name extends keyof AuthEvents>(name: Name, ...payload: AuthEvents[Name]): void {
    try {
      (this.emit as (name: Name, ...args: AuthEvents[Name]) => boolean)(name, ...payload);
    } catch (error) {
      this.logger.error(`A listener of the "${String(name)}" event threw: ${(error as Error).message}`);
    }
  }
}
