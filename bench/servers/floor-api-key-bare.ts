/**
 * The API-key floor as issue 16 measured it: read X-API-Key, SHA-256 it, look the digest up
 * in a Map, set req.user, req.workspace (the user's own) and req.workspaces. It does less than
 * ours: no other key headers, no workspace from the request, no name or access check (those
 * are in floor-api-key.ts); the difference between the two floors is what that work costs.
 */
import { performance } from 'node:perf_hooks';
import express, { type RequestHandler } from 'express';
import { loadFloorUsers, sha256 } from './floor-users';
import { hello, required, serve } from './harness';

const started = performance.now();
const users = loadFloorUsers(required('BENCH_USERS_FILE'));
const loadMs = performance.now() - started;

const bareApiKey: RequestHandler = (req, res, next) => {
  const key = req.headers['x-api-key'];
  const entry = typeof key === 'string' ? users.byApiKeyDigest.get(sha256(key)) : undefined;
  if (!entry || entry.user.disabled) {
    res.status(401).json({ code: 'invalid_api_key' });
    return;
  }
  req.user = entry.user as unknown as Express.User;
  req.workspace = entry.user.username;
  req.workspaces = entry.workspaces;
  next();
};

const app = express();
app.get('/guarded', bareApiKey, hello);
serve(app, { loadMs, users: users.byUsername.size });
