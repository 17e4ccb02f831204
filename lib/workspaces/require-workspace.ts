import type { Request, RequestHandler } from 'express';
import type { AuthenticatedRequests } from '../auth/authenticated-requests';
import { refuseRequestAsArgument } from '../util/misuse';
import type { Refuse, RefusalCode, RefusalDetails } from '../refusals';
import { setRequestWorkspace } from './request-workspace';
import type { WorkspaceUser } from '../types';
import { WORKSPACE_PATTERN } from '../names';
import type { UsersIndex } from '../users/users-index';

/**
 * A non-super-user's workspaces depend on their entry alone, and an entry is an object of one
 * version of the file: made once per user and version, frozen, and shared by their requests.
 */
const workspacesOfEntry = new WeakMap<WorkspaceUser, readonly string[]>();

/**
 * The request's workspace list, frozen: a change would reach every request that shares it. A
 * non-super-user's short list is made once per entry; a super-user's is every known workspace
 * (100,000 for 100,000 users), made once per version of the file (UsersIndex.knownWorkspaces):
 * copying that on every request cut API-key throughput to a fifth.
 */
function workspacesFor(users: UsersIndex, user: WorkspaceUser): readonly string[] {
  if (user.superuser) return users.knownWorkspaces;
  let workspaces = workspacesOfEntry.get(user);
  if (!workspaces) {
    workspaces = Object.freeze(users.workspacesOf(user));
    workspacesOfEntry.set(user, workspaces);
  }
  return workspaces;
}

/**
 * The workspace a request names: route param `:workspace`, else `?workspace=`, else the
 * `X-Argilla-Workspace` header, else `X-Rubrix-Workspace`; undefined when none does.
 * Express 5 parses the query string on every read of `req.query`: not read without one.
 */
function requestedWorkspace(req: Request): unknown {
  const fromParam: unknown = (req.params as Record<string, unknown> | undefined)?.workspace;
  if (fromParam !== undefined) return fromParam;
  if (req.url.includes('?')) {
    const fromQuery: unknown = (req.query as Record<string, unknown> | undefined)?.workspace;
    if (fromQuery !== undefined) return fromQuery;
  }
  // One read of `req.headers`: each is a cache miss on an Express request (user-property.ts).
  const { headers } = req;
  return headers['x-argilla-workspace'] ?? headers['x-rubrix-workspace'];
}

/** A user may work in a workspace, or why not. */
type Verdict = { user: WorkspaceUser; workspace: string } | { refuse: RefusalCode; details?: RefusalDetails };

/**
 * Whether the user this plugin authenticated for the request may work in a workspace, by the
 * users in force now: the user's current entry counts (a reload may have removed or disabled
 * them), then the name, then access.
 */
function judge(users: UsersIndex, authenticated: WorkspaceUser | undefined, workspace: (current: WorkspaceUser) => unknown): Verdict {
  const record = authenticated ? users.findByUsername(authenticated.username) : undefined;
  if (!record) return { refuse: 'not_authenticated' };
  if (record.user.disabled) return { refuse: 'user_disabled' };
  const selected = workspace(record.user);
  if (typeof selected !== 'string' || !WORKSPACE_PATTERN.test(selected)) return { refuse: 'invalid_workspace' };
  if (!users.canAccess(record.user, selected)) return { refuse: 'workspace_forbidden', details: { workspace: selected } };
  return { user: record.user, workspace: selected };
}

export interface WorkspaceGuards {
  /** Selects and checks the request's workspace; `requireWorkspace('name')` guards one fixed workspace. */
  requireWorkspace(fixedWorkspace?: string): RequestHandler;
  /**
   * Why the request's user may not work in `workspace` (the refusal code), or undefined when
   * they may: requireWorkspace's rules, for a second workspace in one request (a copy's target).
   */
  workspaceRefusal(req: Request, workspace: unknown): RefusalCode | undefined;
}

export function createWorkspaceGuards(getUsers: () => UsersIndex, authenticated: AuthenticatedRequests, refuse: Refuse): WorkspaceGuards {
  return {
    requireWorkspace(fixedWorkspace?: string): RequestHandler {
      refuseRequestAsArgument(fixedWorkspace, {
        factory: 'requireWorkspace',
        written: 'app.use(auth.requireWorkspace)',
        intended: 'app.use(auth.requireWorkspace())',
        advice: "Call it to make the guard: requireWorkspace() for the request's workspace, requireWorkspace('name') for one fixed workspace.",
      });
      if (fixedWorkspace !== undefined && (typeof fixedWorkspace !== 'string' || !WORKSPACE_PATTERN.test(fixedWorkspace))) {
        throw new TypeError(`requireWorkspace(${JSON.stringify(fixedWorkspace)}): the workspace name must match ${String(WORKSPACE_PATTERN)}.`);
      }
      return function workspaceGuard(req, res, next) {
        const users = getUsers();
        const verdict = judge(users, authenticated.userOf(req), (user) => fixedWorkspace ?? requestedWorkspace(req) ?? user.username);
        if ('refuse' in verdict) return refuse(req, res, next, verdict.refuse, verdict.details);
        setRequestWorkspace(req, verdict.workspace, workspacesFor(users, verdict.user));
        next();
      };
    },
    workspaceRefusal(req, workspace) {
      const verdict = judge(getUsers(), authenticated.userOf(req), () => workspace);
      return 'refuse' in verdict ? verdict.refuse : undefined;
    },
  };
}
