import type { RequestHandler } from 'express';
import type { WorkspaceAuth } from '../lib';

/**
 * `GET /healthz`, for anyone (a load balancer, an uptime check, a container's HEALTHCHECK):
 * 200 `{"status":"ok"}` while users are in force, 503 `{"status":"unavailable"}` while no one
 * can log in. Nothing more: `auth.status()` holds the users file's path, the count of users
 * and, after a refused reload, a report that names entries and usernames. It is not served
 * over HTTP; /metrics carries the numbers, and the plugin's log the report.
 */
export function healthCheck(auth: Pick<WorkspaceAuth, 'status'>): RequestHandler {
  return function healthz(_req, res) {
    // No users in force (a users file appeared and cannot be loaded): no one can log in.
    const up = auth.status().users > 0;
    res.set('Cache-Control', 'no-store');
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'unavailable' });
  };
}
