import type { AuthEventEmitter } from './events';
import type { UsersSource } from '../users/users-source';

/** What a health check or an admin page needs to know about the users in force. */
export interface AuthStatus {
  /**
   * How many users are in force. 0 only while no one can get in: a users file appeared where the
   * default user was in force, and no version of it has loaded yet (`lastRefusedReload` says why);
   * every request answers 503 `users_unavailable` meanwhile.
   */
  users: number;
  /** Where they came from: the users file's path, or "default user". */
  source: string;
  /** True when no users file exists and the default super-user is in force. */
  defaultUserInForce: boolean;
  /** When the users in force were loaded: at start, or at the last accepted reload. */
  loadedAt: Date;
  /** The last refused reload since then (its time and full report), or null. */
  lastRefusedReload: { at: Date; report: string } | null;
}

/** Keeps what `status()` reports, from the source and the plugin's reload events. */
export function trackStatus(source: UsersSource, events: AuthEventEmitter): () => AuthStatus {
  let loadedAt = new Date();
  let lastRefusedReload: AuthStatus['lastRefusedReload'] = null;
  events.on('reload', () => {
    loadedAt = new Date();
    lastRefusedReload = null;
  });
  events.on('reload-error', (error) => {
    lastRefusedReload = { at: new Date(), report: error.message };
  });
  return () => ({
    users: source.current.size,
    source: source.current.source,
    defaultUserInForce: source.usingDefaultUser,
    loadedAt,
    lastRefusedReload,
  });
}
