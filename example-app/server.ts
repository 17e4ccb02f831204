import { createApp } from './app';
import { redisFromUrl } from './redis';

const port = Number(process.env.PORT ?? 6900);
// With REDIS_URL, every instance shares the failed-login counts and the logouts.
const redis = redisFromUrl(process.env.REDIS_URL);
let started: ReturnType<typeof createApp>;
try {
  started = createApp(redis ? { auth: { redis } } : {});
} catch (error) {
  // Configuration and users-file errors are written for people: no stack trace.
  console.error((error as Error).message);
  process.exit(1);
}
const { app, auth } = started;
const server = app.listen(port, () => {
  console.log(`express-workspace-auth example app on http://localhost:${port}`);
});

// SIGHUP re-reads the users file at once; problems are logged by the plugin.
process.on('SIGHUP', () => {
  auth.reload().catch(() => undefined);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    auth.close();
    redis?.disconnect();
    server.close(() => process.exit(0));
  });
}
