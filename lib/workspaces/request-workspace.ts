import type { Request } from 'express';

/** A name set as the request's own plain property: listed, assignable, deletable, kept whatever the app does to `res.locals`. */
function setOwn(req: Request, name: 'workspace' | 'workspaces', value: unknown): void {
  // Assigned when the request has its own; defined otherwise, so that something up the chain
  // (another library's accessor on the app's request prototype, a value there) never takes the
  // value, and without looking up the chain at all: each Express request has a map of its own,
  // so that look would miss every cache.
  if (Object.hasOwn(req, name)) (req as unknown as Record<string, unknown>)[name] = value;
  else Object.defineProperty(req, name, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Sets `req.workspace` and `req.workspaces`, plain properties of the request itself: nothing
 * shared by the process (Express's request prototype) is changed. Each costs an own property
 * of an Express request (~19,000 instructions on Node 20, bench/RESULTS.md part 1), a price
 * taken for leaving the process's objects alone. The list is frozen and shared by every request
 * of one user and version of the users file (workspacesFor, require-workspace.ts): a
 * super-user's holds every known workspace, too many to copy per request.
 */
export function setRequestWorkspace(req: Request, workspace: string, workspaces: readonly string[]): void {
  setOwn(req, 'workspace', workspace);
  setOwn(req, 'workspaces', workspaces);
}
