import type { RequestHandler } from 'express';
import type { Refuse } from '../refusals';
import type { UsersIndex } from '../users/users-index';

/** What a client is told to wait while no users are in force: about two polls of the watcher, and a human fixing a file. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Refuses every request with 503 `users_unavailable` while no users are in force (a users file
 * appeared that could not be loaded: the default user has ended, and no one else has begun),
 * and passes it to `handler` otherwise. A 503, not a 401: the client's credentials may be right,
 * and a 401 would count as a failure against it.
 */
export function whileUsersInForce(getUsers: () => UsersIndex, refuse: Refuse, handler: RequestHandler): RequestHandler {
  return function usersInForce(req, res, next) {
    if (getUsers().unavailable) return refuse(req, res, next, 'users_unavailable', { retryAfterSeconds: RETRY_AFTER_SECONDS });
    handler(req, res, next);
  };
}
