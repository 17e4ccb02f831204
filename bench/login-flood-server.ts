/**
 * The server of the login-flood bench (bench/login-flood.ts), in a process of its own so the
 * load never shares its event loop. It is the plugin with its defaults, behind one trusted proxy
 * on loopback (`trust proxy` = 'loopback'), so the bench can play many clients with
 * X-Forwarded-For, as a proxy in front of a real deployment would report them.
 *
 * Environment: FLOOD_USERS_FILE (required); FLOOD_OPTIONS, JSON merged into the plugin's options.
 * IPC out: {type:'ready', port}; replies to {type:'mark'} and {type:'stats'} (event-loop delay
 * and CPU since the mark). IPC in: 'mark', 'stats', 'exit'.
 */
import express from 'express';
import { workspaceAuth } from '../lib';
import { hello, SECRET_KEY, serve } from './servers/harness';

const usersFile = process.env.FLOOD_USERS_FILE;
if (!usersFile || !process.send) {
  console.error('bench/login-flood-server.ts is started by bench/login-flood.ts (it needs FLOOD_USERS_FILE and an IPC channel).');
  process.exit(2);
}
const auth = workspaceAuth({
  usersFile,
  env: {},
  secretKey: SECRET_KEY,
  watch: false,
  logger: { info: () => undefined, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) },
  ...(JSON.parse(process.env.FLOOD_OPTIONS ?? '{}') as object),
});

const app = express();
app.set('trust proxy', 'loopback');
app.use(auth);
app.get('/guarded', auth.authenticate, auth.requireWorkspace(), hello);

// The same IPC as every bench server (mark, stats, exit; never outliving the orchestrator).
serve(app, { loadMs: 0, users: auth.users().size }, () => auth.close());
