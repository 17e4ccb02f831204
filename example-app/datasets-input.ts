import type { DatasetRecord } from './datasets-store';
import { quote } from './http-errors';

/** Dataset names as Argilla has them: lowercase letters, digits, "-" and "_", not starting with "-" or "_". */
export const DATASET_NAME_PATTERN = /^(?!-|_)[a-z0-9-_]+$/;
export const MAX_DATASET_NAME_LENGTH = 100;
/** Most records one request may log: bigger uploads go in batches, as the Argilla client does. */
export const MAX_RECORDS_PER_REQUEST = 10_000;
/** Deeper records are refused: cloning and serialising them would exhaust the stack. */
export const MAX_RECORD_DEPTH = 32;

/** What a check found: the value, or the message that says what is wrong and how to fix it. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export function checkDatasetName(name: unknown, where = 'The dataset name'): Checked<string> {
  if (typeof name === 'string' && name.length <= MAX_DATASET_NAME_LENGTH && DATASET_NAME_PATTERN.test(name)) {
    return { ok: true, value: name };
  }
  return {
    ok: false,
    message:
      `${where} ${quote(name)} is not valid: use lowercase letters, digits, "-" and "_", ` +
      `not starting with "-" or "_", at most ${MAX_DATASET_NAME_LENGTH} characters (e.g. "news-2024").`,
  };
}

/** How deeply a JSON value nests, walked without recursion so a hostile record cannot overflow the stack. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

const RECORDS_SHAPE = 'Send a JSON body such as {"records": [{"text": "A news headline", "label": "sports"}]}';

/** The `records` of a log request: a non-empty array of JSON objects, none nested too deeply. */
export function checkRecords(body: unknown): Checked<DatasetRecord[]> {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !Object.hasOwn(body, 'records')) {
    return { ok: false, message: `The body has no "records" field. ${RECORDS_SHAPE}.` };
  }
  const records: unknown = (body as { records: unknown }).records;
  if (!Array.isArray(records)) return { ok: false, message: `"records" must be an array of objects. ${RECORDS_SHAPE}.` };
  if (records.length === 0) return { ok: false, message: `"records" is empty: log at least one record. ${RECORDS_SHAPE}.` };
  if (records.length > MAX_RECORDS_PER_REQUEST) {
    return { ok: false, message: `"records" has ${records.length} records; log at most ${MAX_RECORDS_PER_REQUEST} per request, in batches.` };
  }
  for (const [index, record] of records.entries()) {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      const kind = record === null ? 'null' : Array.isArray(record) ? 'an array' : `a ${typeof record}`;
      return { ok: false, message: `records[${index}] is ${kind}; each record must be a JSON object such as {"text": "..."}.` };
    }
    if (nestsDeeperThan(record, MAX_RECORD_DEPTH)) {
      return { ok: false, message: `records[${index}] nests more than ${MAX_RECORD_DEPTH} levels deep: flatten it.` };
    }
  }
  return { ok: true, value: records as DatasetRecord[] };
}

export interface CopyRequest {
  /** Undefined: the source's workspace. */
  targetWorkspace: string | undefined;
  /** Undefined: the source's name. */
  name: string | undefined;
}

/** The body of a copy request: `{target_workspace?, name?}`, both strings when present. */
export function checkCopyRequest(body: unknown): Checked<CopyRequest> {
  const shape = 'Send a JSON body such as {"target_workspace": "client_projects", "name": "news-copy"}';
  if (body === undefined) return { ok: true, value: { targetWorkspace: undefined, name: undefined } };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: `${shape}.` };
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => key !== 'target_workspace' && key !== 'name');
  if (unknown.length > 0) {
    return { ok: false, message: `Unknown field ${quote(unknown[0])} in the copy request. ${shape}.` };
  }
  const targetWorkspace = Object.hasOwn(fields, 'target_workspace') ? fields.target_workspace : undefined;
  const name = Object.hasOwn(fields, 'name') ? fields.name : undefined;
  if (targetWorkspace !== undefined && typeof targetWorkspace !== 'string') {
    return { ok: false, message: `"target_workspace" must be a string. ${shape}.` };
  }
  if (name !== undefined) {
    const checked = checkDatasetName(name, 'The name of the copy');
    if (!checked.ok) return checked;
  }
  return { ok: true, value: { targetWorkspace, name: name as string | undefined } };
}
