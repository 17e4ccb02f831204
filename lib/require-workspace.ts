import type { Request, RequestHandler } from 'express';
import { sendRefusal } from './errors';
import { reportMiddlewareMisuse } from './middleware-misuse';
import { WORKSPACE_PATTERN } from './users-file';
import type { UsersIndex } from './users-index';
import type { WorkspaceUser } from './types';

/**
 * Sets `req.workspaces`. A super-user's list is every known workspace: one per user of the
 * file, 100,000 for 100,000 users, and copying that on every request cut API-key throughput
 * to a fifth. So theirs is made on first read; other users' lists are short and made at once.
 * Either way the request gets a fresh array of its own, which it may change.
 */
function setWorkspaces(req: Request, users: UsersIndex, user: WorkspaceUser): void {
  if (!user.superuser) {
    req.workspaces = users.workspacesOf(user);
    return;
  }
  let workspaces: string[] | undefined;
  Object.defineProperty(req, 'workspaces', {
    configurable: true,
    enumerable: true,
    get: () => (workspaces ??= users.workspacesOf(user)),
    set: (value: string[]) => {
      workspaces = value;
    },
  });
}

/**
 * The workspace a request names: route param `:workspace`, else `?workspace=`, else the
 * `X-Argilla-Workspace` header, else `X-Rubrix-Workspace`; undefined when none does.
 */
function requestedWorkspace(req: Request): unknown {
  const fromParam: unknown = (req.params as Record<string, unknown> | undefined)?.workspace;
  if (fromParam !== undefined) return fromParam;
  const fromQuery: unknown = (req.query as Record<string, unknown> | undefined)?.workspace;
  if (fromQuery !== undefined) return fromQuery;
  return req.headers['x-argilla-workspace'] ?? req.headers['x-rubrix-workspace'];
}

/** `app.use(auth.requireWorkspace)`: Express then calls requireWorkspace itself with (req, res, next). */
const USED_UNCALLED = {
  factory: 'requireWorkspace',
  written: 'app.use(auth.requireWorkspace)',
  intended: 'app.use(auth.requireWorkspace())',
  advice: "Call it to make the guard: requireWorkspace() for the request's workspace, requireWorkspace('name') for one fixed workspace.",
};

/**
 * Makes `requireWorkspace`: selects the request's workspace (or guards one fixed
 * workspace), checks the user may access it, and sets `req.workspace` and `req.workspaces`.
 */
export function createRequireWorkspace(getUsers: () => UsersIndex, realm: string) {
  return function requireWorkspace(fixedWorkspace?: string): RequestHandler {
    // Express ignores what a middleware returns.
    if (reportMiddlewareMisuse(arguments, USED_UNCALLED)) return undefined as never;
    if (fixedWorkspace !== undefined && (typeof fixedWorkspace !== 'string' || !WORKSPACE_PATTERN.test(fixedWorkspace))) {
      throw new TypeError(
        `requireWorkspace(${JSON.stringify(fixedWorkspace)}): the workspace name must match ${String(WORKSPACE_PATTERN)}.`,
      );
    }
    return function workspaceGuard(req, res, next) {
      const users = getUsers();
      // The user's current entry, not the one they authenticated with: a reload may have changed it.
      const record = req.user ? users.findByUsername(req.user.username) : undefined;
      if (!record) return sendRefusal(res, 'not_authenticated', realm);
      if (record.user.disabled) return sendRefusal(res, 'user_disabled', realm);
      const user = record.user;
      const workspace = fixedWorkspace ?? requestedWorkspace(req) ?? user.username;
      if (typeof workspace !== 'string' || !WORKSPACE_PATTERN.test(workspace)) return sendRefusal(res, 'invalid_workspace', realm);
      if (!users.canAccess(user, workspace)) return sendRefusal(res, 'workspace_forbidden', realm);
      req.workspace = workspace;
      setWorkspaces(req, users, user);
      next();
    };
  };
}
