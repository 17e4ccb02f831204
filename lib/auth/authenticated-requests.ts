import type { Request } from 'express';
import { RequestSlot } from '../util/request-slot';
import type { WorkspaceUser } from '../types';

/**
 * The requests one plugin instance authenticated, and as whom. Private to the instance (a
 * slot of its own): a `req.user` set by the app's own Passport session, another plugin or any
 * other middleware is never taken for one of our users.
 */
export class AuthenticatedRequests {
  private readonly users = new RequestSlot<WorkspaceUser>('express-workspace-auth: authenticated user');

  /** Marks the request as the user's; returns the user it was marked for before, if any. */
  mark(req: Request, user: WorkspaceUser): WorkspaceUser | undefined {
    return this.users.swap(req, user);
  }

  /** The user this instance authenticated for the request, or undefined. */
  userOf(req: Request): WorkspaceUser | undefined {
    return this.users.get(req);
  }
}
