/**
 * The bearer peer: express-jwt with an HS256 secret, as its README shows it
 * (`expressjwt({ secret, algorithms: ['HS256'] })`, the secret a string), then the user of
 * `req.auth.sub` looked up in a Map and the same requireWorkspace() work as the floor.
 */
import { performance } from 'node:perf_hooks';
import express from 'express';
import { expressjwt } from 'express-jwt';
import { admitToWorkspace, loadFloorUsers } from './floor-users';
import { hello, required, serve, SECRET_KEY } from './harness';

const started = performance.now();
const users = loadFloorUsers(required('BENCH_USERS_FILE'));
const loadMs = performance.now() - started;

const app = express();
app.get(
  '/guarded',
  expressjwt({ secret: SECRET_KEY, algorithms: ['HS256'] }),
  (req, res, next) => {
    const subject = (req as { auth?: { sub?: unknown } }).auth?.sub;
    admitToWorkspace(typeof subject === 'string' ? users.byUsername.get(subject) : undefined, req, res, next);
  },
  hello,
);
serve(app, { loadMs, users: users.byUsername.size });
