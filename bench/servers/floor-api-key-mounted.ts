/**
 * The API-key floor mounted as ours is (the README, SPEC §4): one `app.use()` layer in front of
 * every route, for the plugin's own routes (here a stub answering their paths only), then the work
 * split between two route handlers as `authenticate` and `requireWorkspace()` split it, the user
 * handed on in `res.locals`. The same work as floor-api-key.ts: the difference between the two is
 * what Express charges for that mounting, and the difference to ours is ours.
 */
import { performance } from 'node:perf_hooks';
import express, { type RequestHandler } from 'express';
import { admitToWorkspace, loadFloorUsers, userOfApiKey, type FloorUser } from './floor-users';
import { hello, required, serve } from './harness';

const started = performance.now();
const users = loadFloorUsers(required('BENCH_USERS_FILE'));
const loadMs = performance.now() - started;

const pluginRoutes: RequestHandler = (req, res, next) => {
  if (req.url.startsWith('/api/security/') || req.url === '/api/me') {
    res.status(501).json({ code: 'not_in_this_floor' });
    return;
  }
  next();
};

const authenticate: RequestHandler = (req, res, next) => {
  const entry = userOfApiKey(users, req.headers);
  if (!entry) {
    res.status(401).json({ code: 'invalid_api_key' });
    return;
  }
  res.locals.floorUser = entry;
  next();
};

const requireWorkspace: RequestHandler = (req, res, next) => admitToWorkspace(res.locals.floorUser as FloorUser | undefined, req, res, next);

const app = express();
app.use(pluginRoutes);
app.get('/guarded', authenticate, requireWorkspace, hello);
serve(app, { loadMs, users: users.byUsername.size });
