/**
 * The users-file loader: YAML text in, validated user records and warnings out. Pure: it
 * reads no file (users-file-read.ts does) and loads no native module.
 */
import { UsersFileError, type Problem } from '../errors';
import { quoted } from '../util/report-text';
import type { UserRecord } from '../types';
import { type CheckedEntry, checkEntry, ownField } from './entry-checks';
import { usersFileWarnings, type EntryLookups, type LoadedEntry } from './warnings';
import { parseYaml, type YamlProblem, type YamlResult } from './yaml';

export type { EntryLookups, LoadedEntry } from './warnings';

/** A username a report can show: as it is when plain, else quoted with control characters escaped. */
function shownUsername(username: unknown): string {
  if (typeof username !== 'string') return 'no username';
  return /^[\w.@-]{1,40}$/.test(username) ? username : quoted(username);
}

function entryLabel(file: string, index: number, username: unknown): string {
  return `${file}: entry ${index + 1} (${shownUsername(username)})`;
}

/** What the checks that span entries need of one entry: its string username and key, if any. */
interface EntryIdentity {
  index: number;
  username: unknown;
  apiKey: unknown;
}

/**
 * Unique usernames and API keys, checked on every entry, valid or not, so all problems show at
 * once. The entry of each name and key is kept for the warnings.
 */
function crossEntryProblems(entries: readonly EntryIdentity[], file: string): { problems: Problem[] } & EntryMaps {
  const problems: Problem[] = [];
  const firstByUsername = new Map<string, number>();
  const firstByApiKey = new Map<string, number>();
  const apiKeyLengths = new Set<number>();
  for (const entry of entries) {
    if (typeof entry.username === 'string') {
      const first = firstByUsername.get(entry.username);
      if (first === undefined) firstByUsername.set(entry.username, entry.index);
      else {
        problems.push({ where: `${entryLabel(file, entry.index, entry.username)}, field "username"`, message: `repeats the username of entry ${first + 1}: each user must appear once.`, entry: entry.index });
      }
    }
    if (typeof entry.apiKey === 'string') {
      apiKeyLengths.add(entry.apiKey.length);
      const first = firstByApiKey.get(entry.apiKey);
      if (first === undefined) firstByApiKey.set(entry.apiKey, entry.index);
      else {
        problems.push({
          where: `${entryLabel(file, entry.index, entry.username)}, field "api_key"`,
          message: `is the same as the api_key of entry ${first + 1} (${shownUsername(entries[first]?.username)}): every user needs a key of their own (make one with \`npx express-workspace-auth gen-api-key\`).`,
          entry: entry.index,
        });
      }
    }
  }
  return { problems, entryOfUsername: firstByUsername, entryOfApiKey: firstByApiKey, apiKeyLengths };
}

/**
 * A copy that does not share memory with the file's text. The parser's values are slices of
 * it, and one kept slice keeps the whole text alive (20 MB for 100,000 users). V8 copies
 * slices under 13 characters itself. Measured at 100,000 users: heap held after load 68.5 MB
 * without copies, 54.8 MB with these, 64.5 MB with `(' ' + value).slice(1)` (which leaves a
 * slice of a flattened copy).
 */
const scratch = Buffer.allocUnsafe(16 * 1024);
const detached = (value: string): string => {
  if (value.length < 13) return value;
  // A UTF-16 unit takes at most 3 bytes of UTF-8. Through one reused buffer: a Buffer made per
  // value took ~100 ms more at 100,000 users. A longer value gets one of its own, not kept.
  if (value.length * 3 > scratch.length) return Buffer.from(value, 'utf8').toString('utf8');
  return scratch.toString('utf8', 0, scratch.write(value, 0, 'utf8'));
};
const asIs = (value: string): string => value;
const copyOrNull = (copy: (value: string) => string, value: string | null | undefined): string | null => (value == null ? null : copy(value));

function toRecord(entry: CheckedEntry, copy: (value: string) => string): UserRecord {
  const workspaces = entry.workspaces ?? null;
  return {
    user: {
      username: copy(entry.username),
      email: copyOrNull(copy, entry.email),
      full_name: copyOrNull(copy, entry.full_name ?? entry.fullname),
      disabled: entry.disabled ?? false,
      workspaces: workspaces && [...new Set(workspaces)].map(copy),
      superuser: workspaces === null,
    },
    hashedPassword: copy(entry.hashed_password),
    apiKey: copy(entry.api_key),
  };
}

function yamlProblem(problem: YamlProblem, file: string): Problem {
  const inEntry = problem.entry ? `, entry ${problem.entry.index + 1} (${shownUsername(problem.entry.username)})` : '';
  const inField = problem.field === undefined ? '' : `, field ${quoted(problem.field)}`;
  return { where: `${file}:${problem.line}:${problem.column}${inEntry}${inField}`, message: problem.message };
}

const EXAMPLE = 'e.g.\n      - username: jane\n        hashed_password: "$2b$12$..."\n        api_key: "..."';

/** What a users file holds: the users, and advice that does not stop it from loading. */
export interface LoadedUsers {
  records: UserRecord[];
  /** Legal but risky entries (a `workspaces:` with no value, a short API key, ...), each a sentence with the fix. */
  warnings: Problem[];
}

/**
 * Parses and validates the text of a users file. Throws a UsersFileError that lists
 * every problem in the file, each with the file, the entry and the field.
 */
export function loadUsers(source: string, file: string, options?: LoadOptions): LoadedUsers {
  const { entries, warnings } = loadUsersInDetail(source, file, options);
  return { records: entries.map((entry) => entry.record), warnings };
}

/** The entry of each username and API key. */
export interface EntryMaps {
  entryOfUsername: Map<string, number>;
  entryOfApiKey: Map<string, number>;
  apiKeyLengths: Set<number>;
}

/** What loadUsers finds, with each entry as checked: for a caller that checks an edit of one entry against the rest. */
export interface CheckedUsers {
  entries: LoadedEntry[];
  warnings: Problem[];
  lookups: EntryMaps;
}

/** What a caller of loadUsersInDetail may leave out. */
export interface LoadOptions {
  /** The document of parseYaml, when the caller has it already (the CLI reads the parser's events too). */
  read?: YamlResult;
  /** False: no warnings, for a caller that does not show them (an edit shows those of the file it makes, not of the one it read). */
  warnings?: boolean;
  /**
   * False: the values stay slices of the text, for a short-lived reader that keeps nothing (the
   * CLI; the copies took half a second of an edit of 100,000 users). Default true, as the server
   * keeps its users.
   */
  detach?: boolean;
}

/** loadUsers, with each entry as checked and the lookups of its names and keys. */
export function loadUsersInDetail(source: string, file: string, { read = parseYaml(source, file), warnings = true, detach = true }: LoadOptions = {}): CheckedUsers {
  if (read.problem) throw new UsersFileError(file, [yamlProblem(read.problem, file)]);
  return checkEntries(read.document, file, undefined, { warnings, copy: detach ? detached : asIs });
}

/**
 * Validates a list of users as the users file holds them (the parsed file, or the `users`
 * option), every problem at once; `file` names the source in each problem. Throws a UsersFileError.
 */
export function checkUsers(document: unknown, file: string, subject?: string): LoadedUsers {
  const { entries, warnings } = checkEntries(document, file, subject);
  return { records: entries.map((entry) => entry.record), warnings };
}

function checkEntries(document: unknown, file: string, subject?: string, { warnings = true, copy = detached } = {}): CheckedUsers {
  const refuse = (problems: Problem[]) => new UsersFileError(file, problems, subject);
  if (!Array.isArray(document)) {
    const message = document === null ? `is empty: list the users, ${EXAMPLE}` : `must be a list of users at the top level, ${EXAMPLE}`;
    throw refuse([{ where: file, message }]);
  }
  if (document.length === 0) throw refuse([{ where: file, message: `lists no users, so nobody could log in: add at least one, ${EXAMPLE}` }]);

  const problems: Problem[] = [];
  const loaded: LoadedEntry[] = [];
  const identities: EntryIdentity[] = [];
  // One label maker, called only for a report: at 100,000 users, a closure per entry is work for nothing.
  const where = (index: number) => entryLabel(file, index, identities[index]?.username);
  // Every index, holes of a sparse `users` option included: a hole is no mapping, and is refused,
  // whatever an index of Array.prototype may hold.
  for (let index = 0; index < document.length; index++) {
    const entry: unknown = Object.hasOwn(document, index) ? document[index] : undefined;
    const isMapping = typeof entry === 'object' && entry !== null && !Array.isArray(entry) && !(entry instanceof Set);
    const fields = isMapping ? (entry as Record<string, unknown>) : undefined;
    identities.push({ index, username: ownField(fields, 'username'), apiKey: ownField(fields, 'api_key') });
    if (!fields) {
      problems.push({ where: where(index), message: 'must be a mapping of fields (username, hashed_password, api_key, ...), not a single value or a list.', entry: index });
      continue;
    }
    const checked = checkEntry(fields, where, index);
    if ('problems' in checked) {
      problems.push(...checked.problems);
      continue;
    }
    if (checked.entry.full_name != null && checked.entry.fullname != null) {
      problems.push({ where: `${where(index)}, field "fullname"`, message: 'is given beside "full_name": keep one of the two.', entry: index });
      continue;
    }
    loaded.push({ index, record: toRecord(checked.entry, copy), workspacesWithoutValue: checked.entry.workspaces === null });
  }
  const { problems: crossProblems, ...lookups } = crossEntryProblems(identities, file);
  problems.push(...crossProblems);

  if (problems.length > 0) throw refuse(problems);
  return { entries: loaded, warnings: warnings ? warningsOf(loaded, file, lookups) : [], lookups };
}

/**
 * The warnings checkUsers gives a file of exactly these entries: each valid on its own, in file
 * order (`index` their place in the list), no two sharing a username or an API key, given the
 * entry of each username and key.
 */
export function warningsOf(entries: readonly LoadedEntry[], file: string, lookups: EntryLookups): Problem[] {
  return usersFileWarnings(entries, (index, username) => entryLabel(file, index, username), lookups);
}

/** The users of a users file, for callers that do not need the warnings. Throws like loadUsers. */
export function parseUsersFile(source: string, file: string): UserRecord[] {
  return loadUsers(source, file).records;
}
