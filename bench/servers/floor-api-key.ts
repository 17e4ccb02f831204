/**
 * The API-key floor: the least code that does our API-key work. Read the key from
 * X-API-Key (or the Argilla/Rubrix header; two different keys are refused), SHA-256 it,
 * look the digest up in a Map, then requireWorkspace()'s work (floor-users.ts).
 */
import { performance } from 'node:perf_hooks';
import express, { type RequestHandler } from 'express';
import { admitToWorkspace, loadFloorUsers, userOfApiKey } from './floor-users';
import { hello, required, serve } from './harness';

const started = performance.now();
const users = loadFloorUsers(required('BENCH_USERS_FILE'));
const loadMs = performance.now() - started;

const floorApiKey: RequestHandler = (req, res, next) => {
  const entry = userOfApiKey(users, req.headers);
  if (!entry) {
    res.status(401).json({ code: 'invalid_api_key' });
    return;
  }
  admitToWorkspace(entry, req, res, next);
};

const app = express();
app.get('/guarded', floorApiKey, hello);
serve(app, { loadMs, users: users.byUsername.size });
