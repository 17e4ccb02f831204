/**
 * YAML as PyYAML (which Argilla uses) reads it, with a bound on what aliases may expand to.
 * Pure: text in, value or problem out.
 */
import {
  constructFromEvents,
  defineScalarTag,
  EVENT_ID,
  getScalarValue,
  NOT_RESOLVED,
  parseEvents,
  YAML11_SCHEMA,
  YAMLException,
  type Event,
  type ScalarEvent,
} from 'js-yaml';

/**
 * PyYAML's booleans exactly (the implicit resolver of yaml/resolver.py). js-yaml's YAML 1.1
 * schema also reads y, Y, n and N as booleans, which PyYAML reads as strings. An explicit
 * `!!bool` takes any case, as PyYAML's constructor lowercases it.
 */
const PYYAML_BOOLEANS = new Map<string, boolean>([
  ...['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((word) => [word, true] as const),
  ...['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((word) => [word, false] as const),
]);

const pyyamlBoolTag = defineScalarTag('tag:yaml.org,2002:bool', {
  implicit: true,
  implicitFirstChars: [...'yYnNtTfFoO'],
  resolve: (source, isExplicit) => PYYAML_BOOLEANS.get(isExplicit ? source.toLowerCase() : source) ?? NOT_RESOLVED,
  identify: (value) => typeof value === 'boolean',
});

/** YAML 1.1 (merge keys `<<`, booleans such as `yes`, octal `0123`), with PyYAML's booleans. */
const PYYAML_SCHEMA = YAML11_SCHEMA.withTags(pyyamlBoolTag);

/**
 * Values that aliases (and merge keys) may add to a document, beyond those written out: at
 * least a million, and ten per value written in a bigger file. A users file needs few
 * aliases (`<<: *defaults` per user adds a handful each); a 536-byte alias bomb adds 387
 * million, and each would be copied and checked downstream.
 */
const MIN_ALIAS_BUDGET = 1_000_000;
const ALIAS_BUDGET_PER_WRITTEN_VALUE = 10;

/** A problem with the YAML itself: where (1-based line and column), what, and the entry and field it is in. */
export interface YamlProblem {
  line: number;
  column: number;
  message: string;
  /** Index of the top-level entry the problem is in, with its username when it has a plain one. */
  entry?: { index: number; username?: string };
  /** The field (key of the entry) the problem is in. */
  field?: string;
}

export type YamlResult = { document: unknown; problem?: undefined } | { problem: YamlProblem; document?: undefined };

function position(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = source.indexOf('\n'); index !== -1 && index < offset; index = source.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const IN_PROGRESS = -1;

interface Frame {
  kind: 'sequence' | 'mapping';
  /** Values in this collection once aliases are expanded, itself included. */
  size: number;
  anchor: string | undefined;
  children: number;
}

function anchorOf(source: string, event: { anchorStart: number; anchorEnd: number }): string | undefined {
  return event.anchorStart === -1 ? undefined : source.slice(event.anchorStart, event.anchorEnd);
}

/**
 * Measures what the aliases of a document expand to, from the parser's events, without
 * building anything: each anchor's expanded size is known when it closes, and an alias adds
 * it. Stops at the first alias past the budget (or one inside its own anchor: a loop) and
 * says where it is: line, entry and field.
 */
function aliasProblem(source: string, events: readonly Event[]): YamlProblem | undefined {
  // Most users files have no alias: nothing to measure (one quick loop instead of a full pass).
  if (!events.some((event) => event.type === EVENT_ID.ALIAS)) return undefined;
  const budget = Math.max(MIN_ALIAS_BUDGET, ALIAS_BUDGET_PER_WRITTEN_VALUE * events.length);
  const anchors = new Map<string, number>();
  const frames: Frame[] = [];
  const usernames = new Map<number, ScalarEvent>();
  let added = 0;
  let entry: number | undefined;
  let key: Event | undefined;
  let field: Event | undefined;
  let found: { offset: number; message: string; entry: number | undefined; field: Event | undefined } | undefined;

  const scalarText = (event: Event | undefined) => (event?.type === EVENT_ID.SCALAR ? getScalarValue(source, event) : undefined);
  // Decoding only short keys keeps this pass cheap: one key in every value of every entry.
  const isUsernameKey = (event: Event | undefined) =>
    event?.type === EVENT_ID.SCALAR && event.valueEnd - event.valueStart <= 10 && getScalarValue(source, event) === 'username';
  // Where a new node sits: which top-level entry, and which field of it.
  const placeChild = (event: Event) => {
    const parent = frames[frames.length - 1];
    if (!parent) return;
    if (frames.length === 1 && parent.kind === 'sequence') {
      entry = parent.children;
      field = undefined;
    } else if (frames.length === 2 && parent.kind === 'mapping' && frames[0]?.kind === 'sequence') {
      if (parent.children % 2 === 0) {
        key = event;
        field = undefined;
      } else {
        field = key;
        if (event.type === EVENT_ID.SCALAR && entry !== undefined && isUsernameKey(key)) usernames.set(entry, event);
      }
    }
    parent.children += 1;
  };
  const addToParent = (size: number) => {
    const parent = frames[frames.length - 1];
    if (parent) parent.size += size;
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        anchors.clear();
        break;
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        placeChild(event);
        const anchor = anchorOf(source, event);
        if (anchor !== undefined) anchors.set(anchor, IN_PROGRESS);
        frames.push({ kind: event.type === EVENT_ID.SEQUENCE ? 'sequence' : 'mapping', size: 1, anchor, children: 0 });
        break;
      }
      case EVENT_ID.SCALAR: {
        placeChild(event);
        const anchor = anchorOf(source, event);
        if (anchor !== undefined) anchors.set(anchor, 1);
        addToParent(1);
        break;
      }
      case EVENT_ID.ALIAS: {
        placeChild(event);
        const size = anchors.get(source.slice(event.anchorStart, event.anchorEnd));
        if (size === undefined) break; // an unknown anchor: construction reports it
        if (found) break;
        if (size === IN_PROGRESS) {
          found = { offset: event.anchorStart, entry, field, message: 'has an alias inside the anchor it refers to: a loop that never ends. Write the values out.' };
        } else {
          added += size;
          addToParent(size);
          if (added > budget) {
            found = {
              offset: event.anchorStart,
              entry,
              field,
              message: `uses YAML aliases that expand to more than ${budget.toLocaleString('en-US')} values (an "alias bomb"). A users file needs few aliases, if any: write the values out.`,
            };
          }
        }
        break;
      }
      case EVENT_ID.POP: {
        const frame = frames.pop();
        if (!frame) break;
        if (frame.anchor !== undefined) anchors.set(frame.anchor, frame.size);
        addToParent(frame.size);
        // Read on to the end of the entry only to learn its username.
        if (found && frames.length <= 1) frames.length = 0;
        break;
      }
    }
    if (found && frames.length === 0) break;
  }
  if (!found) return undefined;
  const username = found.entry === undefined ? undefined : scalarText(usernames.get(found.entry));
  const fieldName = found.field ? (scalarText(found.field) ?? 'a key that is not a plain name') : undefined;
  return {
    ...position(source, found.offset),
    message: found.message,
    ...(found.entry === undefined ? {} : { entry: { index: found.entry, ...(username === undefined ? {} : { username }) } }),
    ...(fieldName === undefined ? {} : { field: fieldName }),
  };
}

function fromException(error: unknown): YamlProblem {
  if (error instanceof YAMLException) {
    const { line, column } = error.mark ? { line: error.mark.line + 1, column: error.mark.column + 1 } : { line: 1, column: 1 };
    // `reason` alone: the message adds a snippet of the file, which may hold a secret.
    return { line, column, message: `is not valid YAML: ${error.reason}.` };
  }
  // A parser bug or a resource limit (e.g. the stack) must still give a report, not a crash.
  return { line: 1, column: 1, message: `could not be read as YAML (${error instanceof Error ? error.name : 'error'}).` };
}

/** The parser's events of a users file, or the first problem in its YAML. */
export type YamlEvents = { events: readonly Event[]; problem?: undefined } | { problem: YamlProblem; events?: undefined };

/**
 * The first half of parseYaml: the text read into the parser's events, aliases measured. Apart,
 * for a caller that reads the events too (the CLI locates entries with them): parsed once.
 */
export function parseYamlEvents(source: string, filename: string): YamlEvents {
  try {
    const events = parseEvents(source, { filename });
    const problem = aliasProblem(source, events);
    return problem ? { problem } : { events };
  } catch (error) {
    return { problem: fromException(error) };
  }
}

/** The second half of parseYaml: the one document the events of parseYamlEvents make. */
export function documentOf(parsed: YamlEvents, source: string, filename: string): YamlResult {
  if (parsed.problem) return parsed;
  try {
    const documents = constructFromEvents(parsed.events as Event[], { source, filename, schema: PYYAML_SCHEMA, maxTotalMergeKeys: -1 });
    if (documents.length > 1) {
      return { problem: { line: 1, column: 1, message: 'holds several YAML documents (separated by "---"): a users file is one list of users.' } };
    }
    return { document: documents[0] ?? null };
  } catch (error) {
    return { problem: fromException(error) };
  }
}

/** The one YAML document of a users file (null for a file of only comments), or the first problem in it. */
export function parseYaml(source: string, filename: string): YamlResult {
  return documentOf(parseYamlEvents(source, filename), source, filename);
}
