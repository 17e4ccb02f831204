import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { redisFromUrl } from './redis';
import { listenProblem, parsePort } from './listen-problems';

function fail(message: string): never {
  // Configuration, users-file and port problems are written for people: no stack trace.
  console.error(message);
  process.exit(1);
}

const chosen = parsePort(process.env.PORT);
if ('problem' in chosen) fail(chosen.problem);
const { port } = chosen;

// With REDIS_URL, every instance shares the failed-login counts and the logouts.
const redis = redisFromUrl(process.env.REDIS_URL);
let started: ReturnType<typeof createApp>;
try {
  started = createApp(redis ? { auth: { redis } } : {});
} catch (error) {
  fail((error as Error).message);
}
const { app, auth } = started;
// Express 5 hands a listen error (a port in use) to this callback rather than throwing it:
// unchecked, the app would say it listens while another program (Argilla itself on 6900) answers.
const server = app.listen(port, (error?: Error) => {
  if (error) fail(listenProblem(error, port));
  // PORT=0 asks the system for a free port: print the one it gave.
  console.log(`express-workspace-auth example app on http://localhost:${(server.address() as AddressInfo).port}`);
});

// SIGHUP re-reads the users file at once; problems are logged by the plugin.
process.on('SIGHUP', () => {
  auth.reload().catch(() => undefined);
});
// SIGTERM is what `docker stop` sends to the container's command (this process: CMD runs node itself).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    auth.close();
    redis?.disconnect();
    server.close(() => {
      console.log(`Stopped on ${signal}: every request answered, every connection closed.`);
      process.exit(0);
    });
  });
}
