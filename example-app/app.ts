import express, { type Express } from 'express';
import { workspaceAuth, type WorkspaceAuth, type WorkspaceAuthOptions } from '../lib';
import { MemoryDatasetsStore, type DatasetsStore } from './datasets-store';

export interface ExampleAppOptions {
  auth?: WorkspaceAuthOptions;
  store?: DatasetsStore;
}

/** The example datasets service, without listening: tests drive it with supertest. */
export function createApp(options: ExampleAppOptions = {}): { app: Express; auth: WorkspaceAuth } {
  const auth = workspaceAuth(options.auth);
  const store = options.store ?? new MemoryDatasetsStore();
  const app = express();
  app.disable('x-powered-by');

  app.use(auth);

  const listDatasets: express.RequestHandler = (req, res) => {
    const workspace = req.workspace as string;
    res.json({ workspace, datasets: store.list(workspace) });
  };
  app.get('/api/datasets', auth.authenticate, auth.requireWorkspace(), listDatasets);
  app.get('/api/workspaces/:workspace/datasets', auth.authenticate, auth.requireWorkspace(), listDatasets);

  app.use('/api', (_req, res) => {
    res.status(404).json({ code: 'not_found', message: 'No such API route.' });
  });
  app.use(auth.errorHandler);
  return { app, auth };
}
