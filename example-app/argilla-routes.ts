/**
 * The calls the Argilla 1.1.1 and Rubrix 0.18 Python clients make for `log`, `load`, `copy` and
 * `delete` of TextClassification datasets, answered as Argilla answered them, in the request's
 * workspace (`X-Argilla-Workspace`, `X-Rubrix-Workspace`, `?workspace=`: what `set_workspace`
 * sends), with the records in the app's datasets store. Mounted under `/api`, before the app's
 * own datasets API, whose routes these never shadow except `DELETE /api/datasets/:name`.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { WorkspaceAuth } from '../lib';
import { allTextClassification, checkDataQuery, checkTextClassificationBulk, idKeyOf, selectRecords, TEXT_CLASSIFICATION } from './argilla-records';
import { checkDatasetName } from './datasets-input';
import { jsonOnly, notFound } from './datasets-routes';
import type { DatasetRecord, DatasetRef, DatasetsStore } from './datasets-store';
import { quote, sendError } from './http-errors';

/** Largest body of one bulk call: `rg.log` sends 500 records a call, and texts can be long. */
export const BULK_BODY_LIMIT = '10mb';

/** The dataset as the clients parse it (their `Dataset` model): `task` decides how `rg.load` reads it. */
function datasetAnswer(ref: DatasetRef): object {
  return { name: ref.dataset, task: TEXT_CLASSIFICATION, owner: ref.workspace, tags: {}, metadata: {} };
}

/** Runs the route only when a path segment is the one the client sends (`news:copy`, `TextClassification:bulk`), else the next route. */
function onlyWhen(param: string, test: (value: string) => boolean): RequestHandler {
  return function onlyWhenSegmentMatches(req, _res, next) {
    next(test(String(req.params[param])) ? undefined : 'route');
  };
}

/** The dataset named in the path, in the request's workspace; refused as the app's own API refuses a malformed name. */
function datasetOf(req: Request, res: Response, name: string): DatasetRef | undefined {
  const checked = checkDatasetName(name);
  if (!checked.ok) {
    sendError(res, 400, 'invalid_dataset_name', checked.message);
    return undefined;
  }
  return { workspace: req.workspace as string, dataset: checked.value };
}

/** The records of a dataset these clients may load: a 404 when it is missing, a 400 when it holds other records. */
function textClassificationRecords(store: DatasetsStore, res: Response, ref: DatasetRef): DatasetRecord[] | undefined {
  const records = store.load(ref);
  if (!records) {
    notFound(res, ref);
    return undefined;
  }
  if (!allTextClassification(records)) {
    sendError(
      res,
      400,
      'not_text_classification',
      `Dataset ${quote(ref.dataset)} in workspace ${quote(ref.workspace)} holds records without TextClassification "inputs" (logged through the datasets API): ` +
        `the Argilla and Rubrix clients load TextClassification datasets only. Load it with GET /api/workspaces/${ref.workspace}/datasets/${ref.dataset}/records.`,
    );
    return undefined;
  }
  return records;
}

/** Unreadable bodies, answered with advice for these clients. */
const bodyErrors: ErrorRequestHandler = function argillaBodyErrors(error: { type?: unknown; status?: unknown }, _req, res, next) {
  if (typeof error?.type !== 'string' || typeof error.status !== 'number' || error.status >= 500) return next(error);
  if (error.type === 'entity.too.large') {
    return sendError(res, 413, 'payload_too_large', `The body is larger than ${BULK_BODY_LIMIT}: log in smaller chunks, e.g. rg.log(records, name, chunk_size=100).`);
  }
  sendError(res, 400, 'invalid_request', 'The body must be a JSON object, in UTF-8.');
};

/** The Argilla and Rubrix clients' dataset routes, to mount under `/api`. */
export function argillaClientRouter(auth: WorkspaceAuth, store: DatasetsStore): Router {
  const router = express.Router();
  const guard = [auth.authenticate, auth.requireWorkspace()];
  // Authenticated first, parsed after, as in the app's own API.
  const jsonBody = [jsonOnly, express.json({ limit: BULK_BODY_LIMIT }), bodyErrors];

  // rg.load asks for the dataset first: its task says how to read the records.
  const getDataset: RequestHandler = (req, res) => {
    const ref = datasetOf(req, res, String(req.params.name));
    if (!ref || !textClassificationRecords(store, res, ref)) return;
    res.json(datasetAnswer(ref));
  };

  // rg.delete: 200 with JSON (the 1.1.1 client reads the body), also when there was no such
  // dataset, as Argilla answers; a script may delete before it logs.
  const deleteDataset: RequestHandler = (req, res) => {
    const ref = datasetOf(req, res, String(req.params.name));
    if (!ref) return;
    res.json({ workspace: ref.workspace, dataset: ref.dataset, deleted: store.delete(ref) });
  };

  // rg.copy(dataset, name_of_copy, workspace): PUT /api/datasets/news:copy {"name", "target_workspace"}.
  const copyDataset: RequestHandler = (req, res, next) => {
    const from = datasetOf(req, res, String(req.params.operation).slice(0, -':copy'.length));
    if (!from) return;
    const body: unknown = req.body;
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    if (fields.name === undefined) {
      return sendError(res, 400, 'invalid_copy_request', 'Send {"name": "news-copy", "target_workspace": "team"} (target_workspace may be left out), as rg.copy(dataset, name_of_copy="news-copy") does.');
    }
    const name = checkDatasetName(fields.name, 'The name of the copy');
    if (!name.ok) return sendError(res, 400, 'invalid_copy_request', name.message);
    const target = fields.target_workspace ?? from.workspace;
    if (typeof target !== 'string') return sendError(res, 400, 'invalid_copy_request', '"target_workspace" must be the name of a workspace.');
    // The copy needs the target workspace too, with the same answer whether or not it exists.
    const refusal = auth.workspaceRefusal(req, target);
    if (refusal) return auth.refuse(req, res, next, refusal);
    if (!textClassificationRecords(store, res, from)) return;
    const to: DatasetRef = { workspace: target, dataset: name.value };
    const copied = store.copy(from, to);
    if (!copied.ok && copied.reason === 'not_found') return notFound(res, from);
    if (!copied.ok) {
      return sendError(res, 409, 'dataset_exists', `Workspace ${quote(to.workspace)} already has a dataset ${quote(to.dataset)}: copy under another name_of_copy, or rg.delete it first.`);
    }
    res.json(datasetAnswer(to));
  };

  const onlyTextClassification: RequestHandler = (req, res, next) => {
    if (req.params.operation === `${TEXT_CLASSIFICATION}:bulk`) return next();
    const task = String(req.params.operation).slice(0, -':bulk'.length);
    sendError(res, 400, 'unsupported_task', `The example app keeps TextClassification datasets only, not ${quote(task)}: log rg.TextClassificationRecord records.`);
  };

  // rg.log: POST /api/datasets/news/TextClassification:bulk, 500 records a call; a record with
  // the id of a logged one replaces it, as in Argilla.
  const bulk: RequestHandler = (req, res) => {
    const ref = datasetOf(req, res, String(req.params.name));
    if (!ref) return;
    const records = checkTextClassificationBulk(req.body);
    if (!records.ok) return sendError(res, 400, 'invalid_records', records.message);
    const existing = store.load(ref);
    if (existing && !allTextClassification(existing)) {
      return sendError(res, 409, 'dataset_exists', `Dataset ${quote(ref.dataset)} in workspace ${quote(ref.workspace)} holds other records than TextClassification ones: log under another name.`);
    }
    const result = store.upsert(ref, records.value, idKeyOf);
    if (!result.ok) return sendError(res, 409, 'dataset_full', `Dataset ${quote(ref.dataset)} may hold at most ${result.limit} records; this call would exceed that.`);
    res.json({ dataset: ref.dataset, processed: records.value.length, failed: 0 });
  };

  // rg.load, after the dataset: the records as JSON lines, one record a line, as Argilla streams them.
  const data: RequestHandler = (req, res) => {
    const ref = datasetOf(req, res, String(req.params.name));
    if (!ref) return;
    const query = checkDataQuery(req.body, { limit: req.query.limit, id_from: req.query.id_from });
    if (!query.ok) return sendError(res, 400, 'unsupported_query', query.message);
    const records = textClassificationRecords(store, res, ref);
    if (!records) return;
    const lines = selectRecords(records, query.value).map((record) => `${JSON.stringify(record)}\n`);
    res.type('application/json').send(lines.join(''));
  };

  router.get('/datasets/:name', ...guard, getDataset);
  router.delete('/datasets/:name', ...guard, deleteDataset);
  router.put('/datasets/:operation', onlyWhen('operation', (segment) => segment.endsWith(':copy')), ...guard, ...jsonBody, copyDataset);
  router.post('/datasets/:name/:operation', onlyWhen('operation', (segment) => segment.endsWith(':bulk')), ...guard, onlyTextClassification, ...jsonBody, bulk);
  router.post(`/datasets/:name/${TEXT_CLASSIFICATION}/data`, ...guard, ...jsonBody, data);
  return router;
}
