/**
 * The records of the Argilla and Rubrix Python clients (TextClassification), checked as they
 * arrive and selected as `rg.load` asks: ids, order and paging as Argilla has them.
 */
import { randomUUID } from 'node:crypto';
import { type Checked, MAX_RECORD_DEPTH, MAX_RECORDS_PER_REQUEST, nestsDeeperThan } from './datasets-input';
import type { DatasetRecord } from './datasets-store';
import { quote } from './http-errors';

/** The one task the example app keeps for these clients. */
export const TEXT_CLASSIFICATION = 'TextClassification';

/** Longest record id accepted, as a string: ids are keys, not payloads. */
export const MAX_RECORD_ID_LENGTH = 512;

/**
 * The key a record is stored and ordered under: its id as a string. Argilla keeps ids in an
 * Elasticsearch keyword field, so `1` and `"1"` are one record, and `"10"` sorts before `"9"`.
 */
export const idKeyOf = (record: DatasetRecord): string => String(record.id);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `inputs` as a TextClassification record has them: named texts, each a string or a list of strings. */
function hasTextInputs(record: DatasetRecord): boolean {
  const { inputs } = record;
  if (!isObject(inputs) || Object.keys(inputs).length === 0) return false;
  return Object.values(inputs).every((value) => typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string')));
}

/** Whether every record of a dataset is a TextClassification record (what these clients log). */
export function allTextClassification(records: readonly DatasetRecord[]): boolean {
  return records.every(hasTextInputs);
}

const BULK_SHAPE = 'Send {"records": [{"inputs": {"text": "..."}}]}, as rg.log(rg.TextClassificationRecord(text="..."), name) does';

/**
 * The records of `POST /api/datasets/:name/TextClassification:bulk`, each with an id: the one it
 * came with, else a new one (the client sends `"id": null` for a record made without one).
 * The dataset's `tags` and `metadata` of the body are not kept by the example app.
 */
export function checkTextClassificationBulk(body: unknown): Checked<DatasetRecord[]> {
  if (!isObject(body) || !Object.hasOwn(body, 'records')) return { ok: false, message: `The body has no "records" field. ${BULK_SHAPE}.` };
  const { records } = body;
  if (!Array.isArray(records)) return { ok: false, message: `"records" must be a list of records. ${BULK_SHAPE}.` };
  if (records.length > MAX_RECORDS_PER_REQUEST) {
    return { ok: false, message: `"records" has ${records.length} records; log at most ${MAX_RECORDS_PER_REQUEST} per request: rg.log(records, name, chunk_size=500).` };
  }
  const checked: DatasetRecord[] = [];
  for (const [index, record] of records.entries()) {
    if (!isObject(record)) return { ok: false, message: `records[${index}] is not a record: each must be a JSON object. ${BULK_SHAPE}.` };
    if (!hasTextInputs(record)) {
      return { ok: false, message: `records[${index}] has no valid "inputs": a TextClassification record needs {"inputs": {"text": "..."}} (strings, or lists of strings).` };
    }
    const { id } = record;
    if (id !== undefined && id !== null && !(typeof id === 'string' && id !== '' && id.length <= MAX_RECORD_ID_LENGTH) && !Number.isSafeInteger(id)) {
      return { ok: false, message: `records[${index}] has the id ${quote(JSON.stringify(id))}: an id is a string of 1 to ${MAX_RECORD_ID_LENGTH} characters or a whole number.` };
    }
    if (record.multi_label !== undefined && typeof record.multi_label !== 'boolean') {
      return { ok: false, message: `records[${index}] has a "multi_label" that is not true or false.` };
    }
    if (nestsDeeperThan(record, MAX_RECORD_DEPTH)) return { ok: false, message: `records[${index}] nests more than ${MAX_RECORD_DEPTH} levels deep: flatten it.` };
    checked.push(id === undefined || id === null ? { ...record, id: randomUUID() } : record);
  }
  return { ok: true, value: checked };
}

/** What `rg.load(name, ids=..., limit=..., id_from=...)` asks of `POST /api/datasets/:name/TextClassification/data`. */
export interface DataQuery {
  ids: Set<string> | undefined;
  limit: number | undefined;
  idFrom: string | undefined;
}

/** A filter left at its default: what the client sends for every filter `rg.load` does not set. */
const isUnset = (value: unknown): boolean =>
  value === undefined || value === null || value === false || value === '' || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);

/**
 * The body (the client's query) and the `limit` and `id_from` parameters of a data request.
 * The example app selects records by ids only: a search (`query=` of `rg.load`, Elasticsearch's
 * query string syntax) is refused rather than ignored, which would load every record.
 */
export function checkDataQuery(body: unknown, params: { limit?: unknown; id_from?: unknown }): Checked<DataQuery> {
  if (body !== undefined && !isObject(body)) return { ok: false, message: 'The body must be a JSON object: the query, e.g. {"ids": ["id-1", "id-2"]}, or {}.' };
  const query = body ?? {};
  const filter = Object.keys(query).find((key) => key !== 'ids' && key !== 'advanced_query_dsl' && !isUnset(query[key]));
  if (filter !== undefined) {
    return {
      ok: false,
      message: `The example app loads records by ids only; ${quote(filter)} is not supported: call rg.load(name) or rg.load(name, ids=[...]) and filter the records in Python.`,
    };
  }
  let ids: Set<string> | undefined;
  if (!isUnset(query.ids)) {
    if (!Array.isArray(query.ids) || !query.ids.every((id) => typeof id === 'string' || Number.isSafeInteger(id))) {
      return { ok: false, message: '"ids" must be a list of record ids (strings or whole numbers).' };
    }
    ids = new Set(query.ids.map(String));
  }
  let limit: number | undefined;
  if (params.limit !== undefined) {
    limit = typeof params.limit === 'string' && /^[1-9][0-9]{0,8}$/.test(params.limit) ? Number(params.limit) : Number.NaN;
    if (Number.isNaN(limit)) return { ok: false, message: `"limit" must be a whole number of at least 1; got ${quote(params.limit)}.` };
  }
  if (params.id_from !== undefined && typeof params.id_from !== 'string') return { ok: false, message: 'Give "id_from" once, as the id of a record.' };
  return { ok: true, value: { ids, limit, idFrom: params.id_from } };
}

/** The records a data request selects: ordered by id as Argilla orders them, after `id_from`, at most `limit`. */
export function selectRecords(records: readonly DatasetRecord[], { ids, limit, idFrom }: DataQuery): DatasetRecord[] {
  const keyed = records.map((record) => ({ key: idKeyOf(record), record }));
  const selected = keyed.filter(({ key }) => (ids === undefined || ids.has(key)) && (idFrom === undefined || key > idFrom));
  // Plain comparison of strings (code units), as a keyword field sorts; never localeCompare.
  selected.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return selected.slice(0, limit).map(({ record }) => record);
}
