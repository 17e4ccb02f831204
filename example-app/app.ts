import express, { type Express } from 'express';
import client from 'prom-client';
import { authMetrics, workspaceAuth, type Logger, type WorkspaceAuth, type WorkspaceAuthOptions } from '../lib';
import { argillaClientRouter } from './argilla-routes';
import { datasetsRouter } from './datasets-routes';
import { MemoryDatasetsStore, type DatasetsStore } from './datasets-store';
import { healthCheck } from './health';
import { createFinalErrorHandler, sendError } from './http-errors';
import { webPages } from './web-pages';

export interface ExampleAppOptions {
  auth?: WorkspaceAuthOptions;
  store?: DatasetsStore;
}

/** The example datasets service, without listening: tests drive it with supertest. */
export function createApp(options: ExampleAppOptions = {}): { app: Express; auth: WorkspaceAuth } {
  const auth = workspaceAuth(options.auth);
  const store = options.store ?? new MemoryDatasetsStore();
  const logger: Logger = options.auth?.logger ?? console;
  const app = express();
  app.disable('x-powered-by');

  // What auth does, one JSON line per event, for a log pipeline to alert on.
  const logAs = (name: string) => (event: object) => logger.info(JSON.stringify({ event: name, at: new Date().toISOString(), ...event }));
  auth.on('login', logAs('login'));
  auth.on('login-failed', logAs('login-failed'));
  auth.on('rate-limited', logAs('rate-limited'));
  auth.on('refused', logAs('refused'));
  // GET /metrics for Prometheus, and the login timer: before the plugin, which answers logins.
  // A registry of its own, not prom-client's global one: the specs build many apps in one process.
  app.use(authMetrics(auth, client, { registry: new client.Registry() }));
  app.get('/healthz', healthCheck(auth));
  app.use(auth);
  // The Argilla and Rubrix Python clients' calls first: DELETE /api/datasets/:name is theirs.
  app.use('/api', argillaClientRouter(auth, store));
  app.use('/api', datasetsRouter(auth, store));
  app.use('/api', (_req, res) => {
    sendError(
      res,
      404,
      'not_found',
      'No such API route. The README lists the routes of the datasets API, and the calls of the Argilla and Rubrix clients it answers (init, set_workspace, log, load, copy, delete).',
    );
  });
  app.use(webPages());
  app.use(auth.errorHandler);
  app.use(createFinalErrorHandler(logger));
  return { app, auth };
}
