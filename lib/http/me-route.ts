import type { RequestHandler } from 'express';
import type { AuthenticatedRequests } from '../auth/authenticated-requests';
import type { WorkspaceUser } from '../types';
import type { UsersIndex } from '../users/users-index';

/** A user as `GET /api/me` answers it: no secrets, the workspaces resolved. */
export interface PublicUser {
  username: string;
  email: string | null;
  full_name: string | null;
  disabled: boolean;
  /** Every workspace the user may access, sorted; for a super-user, every known workspace. */
  workspaces: string[];
  superuser: boolean;
}

export function toPublicUser(user: WorkspaceUser, users: UsersIndex): PublicUser {
  return {
    username: user.username,
    email: user.email,
    full_name: user.full_name,
    disabled: user.disabled,
    workspaces: users.workspacesOf(user),
    superuser: user.superuser,
  };
}

/** `GET /api/me`: the authenticated user without secrets, with the workspaces they may access. */
export function createMeHandler(authenticate: RequestHandler, authenticated: AuthenticatedRequests, getUsers: () => UsersIndex): RequestHandler[] {
  return [
    authenticate,
    function me(req, res) {
      res.json(toPublicUser(authenticated.userOf(req) as WorkspaceUser, getUsers()));
    },
  ];
}
