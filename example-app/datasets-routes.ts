import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { WorkspaceAuth } from '../lib';
import { checkCopyRequest, checkDatasetName, checkRecords } from './datasets-input';
import type { DatasetRef, DatasetsStore } from './datasets-store';
import { quote, sendError } from './http-errors';

/** Largest JSON body the datasets API reads. */
export const BODY_LIMIT = '1mb';

/** The route paths, by route param (`/workspaces/:workspace/...`) and by the request's workspace (§3 of the spec). */
const IN_WORKSPACE = ['/workspaces/:workspace/datasets', '/datasets'] as const;

export function notFound(res: Response, ref: DatasetRef): void {
  sendError(
    res,
    404,
    'dataset_not_found',
    `There is no dataset ${quote(ref.dataset)} in workspace ${quote(ref.workspace)}. ` +
      `GET /api/workspaces/${ref.workspace}/datasets lists its datasets.`,
  );
}

/** Checks the `:dataset` param; sets `res.locals.dataset` to the selected dataset. Runs after requireWorkspace. */
const datasetParam: RequestHandler = function datasetParam(req, res, next) {
  const checked = checkDatasetName(req.params.dataset);
  if (!checked.ok) return sendError(res, 400, 'invalid_dataset_name', checked.message);
  res.locals.dataset = { workspace: req.workspace as string, dataset: checked.value } satisfies DatasetRef;
  next();
};

const selected = (res: Response): DatasetRef => res.locals.dataset as DatasetRef;

/** A body that is present must be JSON: a form or text body is refused rather than read as "no body". */
export const jsonOnly: RequestHandler = function jsonOnly(req, res, next) {
  // `Content-Length: 0` is no body at all (what a bare POST sends), not a body of the wrong type.
  if (req.is('application/json') === false && req.headers['content-length'] !== '0') {
    return sendError(res, 415, 'unsupported_media_type', 'Send the body as JSON, with the header "Content-Type: application/json".');
  }
  next();
};

/** Unreadable bodies, answered with advice for this API (the plugin's handler is generic). */
const bodyErrors: ErrorRequestHandler = function bodyErrors(error: { type?: unknown; status?: unknown }, _req, res, next) {
  if (typeof error?.type !== 'string' || typeof error.status !== 'number' || error.status >= 500) return next(error);
  if (error.type === 'entity.too.large') {
    return sendError(res, 413, 'payload_too_large', `The body is larger than ${BODY_LIMIT}: log the records in smaller batches.`);
  }
  if (error.status === 415) {
    return sendError(res, 415, 'unsupported_media_type', 'The body\'s charset or encoding is not supported: send UTF-8 JSON.');
  }
  sendError(res, 400, 'invalid_request', 'The body is not valid JSON: check quotes, commas and brackets.');
};

/**
 * The datasets API, to mount under `/api`: list, log, load, copy and delete datasets of a
 * workspace. Every route authenticates and selects the workspace with the plugin first.
 */
export function datasetsRouter(auth: WorkspaceAuth, store: DatasetsStore): Router {
  const router = express.Router();
  const guard = [auth.authenticate, auth.requireWorkspace()];
  // Authenticated first, parsed after: an anonymous client cannot make the server read a megabyte.
  const jsonBody = [jsonOnly, express.json({ limit: BODY_LIMIT }), bodyErrors];

  const list: RequestHandler = (req, res) => {
    const workspace = req.workspace as string;
    res.json({ workspace, datasets: store.list(workspace) });
  };

  const logRecords: RequestHandler = (req, res) => {
    const ref = selected(res);
    const records = checkRecords(req.body);
    if (!records.ok) return sendError(res, 400, 'invalid_records', records.message);
    const result = store.log(ref, records.value);
    if (!result.ok) {
      return sendError(res, 409, 'dataset_full', `Dataset ${quote(ref.dataset)} may hold at most ${result.limit} records; this request would exceed that.`);
    }
    res.status(201).location(`/api/workspaces/${ref.workspace}/datasets/${ref.dataset}/records`);
    res.json({ workspace: ref.workspace, dataset: ref.dataset, logged: result.logged, total: result.total });
  };

  const loadRecords: RequestHandler = (_req, res) => {
    const ref = selected(res);
    const records = store.load(ref);
    if (!records) return notFound(res, ref);
    res.json({ workspace: ref.workspace, dataset: ref.dataset, records });
  };

  const copyDataset: RequestHandler = (req: Request, res, next) => {
    const from = selected(res);
    const body = checkCopyRequest(req.body);
    if (!body.ok) return sendError(res, 400, 'invalid_copy_request', body.message);
    const target = body.value.targetWorkspace ?? from.workspace;
    // requireWorkspace checked the source; the target needs the same check, with the same
    // answer whether or not it exists.
    const refusal = auth.workspaceRefusal(req, target);
    if (refusal) return auth.refuse(req, res, next, refusal);
    const to: DatasetRef = { workspace: target, dataset: body.value.name ?? from.dataset };
    const result = store.copy(from, to);
    if (!result.ok && result.reason === 'not_found') return notFound(res, from);
    if (!result.ok) {
      return sendError(
        res,
        409,
        'dataset_exists',
        `Workspace ${quote(to.workspace)} already has a dataset ${quote(to.dataset)}: give the copy another "name", or delete that dataset first.`,
      );
    }
    res.status(201).location(`/api/workspaces/${to.workspace}/datasets/${to.dataset}/records`);
    res.json({ workspace: to.workspace, dataset: to.dataset, records: result.records, copied_from: from });
  };

  const deleteDataset: RequestHandler = (_req, res) => {
    const ref = selected(res);
    if (!store.delete(ref)) return notFound(res, ref);
    res.status(204).end();
  };

  for (const base of IN_WORKSPACE) {
    router.get(base, ...guard, list);
    router.get(`${base}/:dataset/records`, ...guard, datasetParam, loadRecords);
    router.post(`${base}/:dataset/records`, ...guard, datasetParam, ...jsonBody, logRecords);
    router.post(`${base}/:dataset/copy`, ...guard, datasetParam, ...jsonBody, copyDataset);
    // DELETE /api/datasets/:name is the Argilla clients' call: argilla-routes.ts answers it as Argilla does.
    if (base !== '/datasets') router.delete(`${base}/:dataset`, ...guard, datasetParam, deleteDataset);
  }
  return router;
}
