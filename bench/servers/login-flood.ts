/**
 * The server of the login-flood bench (bench/login-flood.ts), in a process of its own so the
 * load never shares its event loop. It is the plugin with its defaults, behind one trusted proxy
 * on loopback (`trust proxy` = 'loopback'), so the bench can play many clients with
 * X-Forwarded-For, as a proxy in front of a real deployment would report them.
 *
 * Environment: BENCH_USERS_FILE (required). IPC: the harness's, as every bench server.
 */
import express from 'express';
import { workspaceAuth } from '../../lib';
import { hello, required, SECRET_KEY, serve } from './harness';

const auth = workspaceAuth({
  usersFile: required('BENCH_USERS_FILE'),
  env: {},
  secretKey: SECRET_KEY,
  watch: false,
  logger: { info: () => undefined, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) },
});

const app = express();
app.set('trust proxy', 'loopback');
app.use(auth);
app.get('/guarded', auth.authenticate, auth.requireWorkspace(), hello);

// The same IPC as every bench server (mark, stats, exit; never outliving the orchestrator).
serve(app, { loadMs: 0, users: auth.users().size }, () => auth.close());
