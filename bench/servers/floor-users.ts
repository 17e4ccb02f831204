/**
 * The users of the floors and peers: the same users file, read with the library's parser
 * (reading is not what part 1 measures), kept in plain Maps with each user's sorted workspaces
 * made once. And the least code that does requireWorkspace()'s work: pick the workspace
 * (route param, else `?workspace=`, else the Argilla/Rubrix header, else the user's own),
 * check its name and the user's access, and set req.user, req.workspace and req.workspaces.
 */
import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

// biome-ignore lint/style/noCommonJs: required, not imported, so `npm run typecheck` does not depend on dist/ existing.
const { readUsersFileSync, WORKSPACE_PATTERN } = require('../../dist') as typeof import('../../lib');
type WorkspaceUser = import('../../lib').WorkspaceUser;
type UserRecord = import('../../lib').UserRecord;

export interface FloorUser {
  user: WorkspaceUser;
  /** Every workspace the user may access, sorted, made once and frozen (a super-user's list is every user's). */
  workspaces: readonly string[];
  /** The same, for the access check. */
  access: ReadonlySet<string>;
}

/** The one-shot digest (Node 20.12+), the cheapest SHA-256 node:crypto has. */
export const sha256 = (text: string): string => hash('sha256', text, 'base64');

export function loadFloorUsers(file: string): { byUsername: Map<string, FloorUser>; byApiKeyDigest: Map<string, FloorUser>; records: readonly UserRecord[] } {
  const records = readUsersFileSync(file);
  const known = new Set<string>();
  for (const { user } of records) for (const name of [user.username, ...(user.workspaces ?? [])]) known.add(name);
  const byUsername = new Map<string, FloorUser>();
  const byApiKeyDigest = new Map<string, FloorUser>();
  // Sorted once for every super-user: a sort per super-user took minutes at 100,000 users.
  const everyWorkspace = Object.freeze([...known].sort());
  for (const { user, apiKey } of records) {
    const access = user.superuser ? known : new Set([user.username, ...(user.workspaces ?? [])]);
    const entry = { user, workspaces: user.superuser ? everyWorkspace : Object.freeze([...access].sort()), access };
    byUsername.set(user.username, entry);
    byApiKeyDigest.set(sha256(apiKey), entry);
  }
  return { byUsername, byApiKeyDigest, records };
}

const refuse = (res: Response, status: number, code: string): void => {
  res.status(status).json({ code });
};

/**
 * The user of the API key a request presents, as ours finds it: X-API-Key, else the Argilla or
 * Rubrix header (two different keys are refused), SHA-256, a Map; undefined when none matches.
 */
export function userOfApiKey(users: { byApiKeyDigest: ReadonlyMap<string, FloorUser> }, headers: IncomingHttpHeaders): FloorUser | undefined {
  const key = headers['x-api-key'] ?? headers['x-argilla-api-key'] ?? headers['x-rubrix-api-key'];
  if (typeof key !== 'string' || (headers['x-argilla-api-key'] ?? key) !== key || (headers['x-rubrix-api-key'] ?? key) !== key) return undefined;
  return users.byApiKeyDigest.get(sha256(key));
}

/** requireWorkspace()'s work for an authenticated user, in the fewest steps. */
export function admitToWorkspace(entry: FloorUser | undefined, req: Request, res: Response, next: NextFunction): void {
  if (!entry) {
    refuse(res, 401, 'invalid_credentials');
    return;
  }
  if (entry.user.disabled) {
    refuse(res, 403, 'user_disabled');
    return;
  }
  // Express 5 parses the query string on every read of req.query: only when there is one.
  const fromQuery = req.url.includes('?') ? (req.query as Record<string, unknown>).workspace : undefined;
  const workspace =
    (req.params as Record<string, unknown>).workspace ?? fromQuery ?? req.headers['x-argilla-workspace'] ?? req.headers['x-rubrix-workspace'] ?? entry.user.username;
  if (typeof workspace !== 'string' || !WORKSPACE_PATTERN.test(workspace)) {
    refuse(res, 400, 'invalid_workspace');
    return;
  }
  if (!entry.access.has(workspace)) {
    refuse(res, 403, 'workspace_forbidden');
    return;
  }
  // The app's Express.User may be its own type; ours is a WorkspaceUser, as the library casts it too.
  req.user = entry.user as unknown as Express.User;
  req.workspace = workspace;
  // The user's list, made once and frozen, as ours shares it between requests.
  req.workspaces = entry.workspaces;
  next();
}
