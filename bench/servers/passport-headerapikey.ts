/**
 * The API-key peer: passport-headerapikey as its README shows it (passport.use of a
 * HeaderAPIKeyStrategy, `passport.authenticate('headerapikey', { session: false })` on the
 * route), its verify callback finding the user by the key's SHA-256 in a Map, then the same
 * requireWorkspace() work as the floor (floor-users.ts). The difference to the floor is Passport.
 */
import { performance } from 'node:perf_hooks';
import express from 'express';
import passport from 'passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { admitToWorkspace, loadFloorUsers, sha256, type FloorUser } from './floor-users';
import { hello, required, serve } from './harness';

const started = performance.now();
const users = loadFloorUsers(required('BENCH_USERS_FILE'));
const loadMs = performance.now() - started;

passport.use(
  new HeaderAPIKeyStrategy({ header: 'X-API-Key', prefix: '' }, false, (apiKey: string, done: (error: Error | null, user?: FloorUser | false) => void) => {
    const entry = users.byApiKeyDigest.get(sha256(apiKey));
    if (!entry) return done(null, false);
    return done(null, entry);
  }),
);

const app = express();
app.get(
  '/guarded',
  passport.authenticate('headerapikey', { session: false, failureRedirect: '/api/unauthorized' }),
  // Passport set req.user to what verify gave: the floor's entry, which admitToWorkspace replaces by the user.
  (req, res, next) => admitToWorkspace(req.user as unknown as FloorUser, req, res, next),
  hello,
);
serve(app, { loadMs, users: users.byUsername.size });
