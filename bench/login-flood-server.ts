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
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import express from 'express';
import { workspaceAuth } from '../lib';

const usersFile = process.env.FLOOD_USERS_FILE;
if (!usersFile || !process.send) {
  console.error('bench/login-flood-server.ts is started by bench/login-flood.ts (it needs FLOOD_USERS_FILE and an IPC channel).');
  process.exit(2);
}
const send = (message: object): void => {
  process.send?.(message);
};

const auth = workspaceAuth({
  usersFile,
  env: {},
  secretKey: 'bench-secret-key-0123456789abcdef0123456789',
  watch: false,
  logger: { info: () => undefined, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) },
  ...(JSON.parse(process.env.FLOOD_OPTIONS ?? '{}') as object),
});

const app = express();
app.set('trust proxy', 'loopback');
app.use(auth);
app.get('/guarded', auth.authenticate, auth.requireWorkspace(), (req, res) => {
  res.json({ ok: true, workspace: req.workspace ?? null });
});

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let cpuMark = process.cpuUsage();
let timeMark = performance.now();

process.on('message', (message: { type?: string }) => {
  if (message.type === 'mark') {
    delay.reset();
    cpuMark = process.cpuUsage();
    timeMark = performance.now();
    send({ type: 'marked' });
  } else if (message.type === 'stats') {
    const cpu = process.cpuUsage(cpuMark);
    send({
      type: 'stats',
      eldP99Ms: delay.percentile(99) / 1e6,
      eldMaxMs: delay.max / 1e6,
      cpuCores: (cpu.user + cpu.system) / 1000 / (performance.now() - timeMark),
      rssMb: process.memoryUsage().rss / 2 ** 20,
    });
  } else if (message.type === 'exit') {
    auth.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  send({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});
