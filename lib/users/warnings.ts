/**
 * What is legal in a users file but likely a mistake: reported beside the users, at start,
 * at every reload and by `check`, and never stops a file from loading.
 */
import { describeLowCost } from './hash-format';
import { formatProblems, type Problem } from '../errors';
import { quoted } from '../util/report-text';
import type { UserRecord } from '../types';

/** One valid entry, as the warnings need it. */
export interface LoadedEntry {
  index: number;
  record: UserRecord;
  /** `workspaces:` is there with no value (or null): PyYAML reads it as None, a super-user. */
  workspacesWithoutValue: boolean;
}

/** Keys shorter than this are guessable by anyone who can send requests. */
const MIN_API_KEY_LENGTH = 16;

const USUAL_KEY = new RegExp(`^[\\x21-\\x7e][\\x20-\\x7e]{${MIN_API_KEY_LENGTH - 2},}[\\x21-\\x7e]$`);

const NEW_KEY = 'Make a new one with `npx express-workspace-auth gen-api-key`.';

/** Why an API key is weak or unusable; never the key itself. */
function apiKeyWarnings(apiKey: string): string[] {
  // The usual key: long enough, printable ASCII, no space at either end. One test, no allocation.
  if (USUAL_KEY.test(apiKey)) return [];
  const found: string[] = [];
  if (apiKey.length < MIN_API_KEY_LENGTH) {
    found.push(`is shorter than ${MIN_API_KEY_LENGTH} characters (${apiKey.length}): a short key is easy to guess. ${NEW_KEY}`);
  }
  if (apiKey.trim() !== apiKey) {
    found.push(`starts or ends with whitespace, which HTTP strips from header values: no request can present this key. ${NEW_KEY}`);
  }
  if (/[^\x20-\x7e]/.test(apiKey)) {
    found.push(`has characters outside printable ASCII, which HTTP headers cannot carry: no request can present this key. ${NEW_KEY}`);
  }
  return found;
}

/** How reports name an entry: `file: entry 2 (bob)`. */
export type EntryLabel = (index: number, username: string) => string;

/** Where to find the entry of a name or key: a Map, or a view of one (the CLI's edit of one entry). */
export type EntryLookup = Pick<ReadonlyMap<string, number>, 'get'>;

/** The entry of each username and API key, as the loader's uniqueness checks found them: looked up here, not built again. */
export interface EntryLookups {
  entryOfUsername: EntryLookup;
  entryOfApiKey: EntryLookup;
  /** The lengths of the file's API keys, when known: a name of another length is no one's key, and is not looked up. */
  apiKeyLengths?: ReadonlySet<number>;
}

const WORKSPACES_WITHOUT_VALUE =
  'has no value, which makes this user a super-user with access to every workspace (as in Argilla). ' +
  'Leave the field out if that is meant, or write `workspaces: []` for the user workspace only.';

/** Every warning of a file whose entries are all valid, in file order. */
export function usersFileWarnings(entries: readonly LoadedEntry[], label: EntryLabel, lookups: EntryLookups): Problem[] {
  const warnings: Problem[] = [];
  // Made on the first warning only: most files have none, and this runs at every reload.
  let byIndex: Map<number, LoadedEntry> | undefined;
  const warn = (index: number, field: string, message: string) => {
    byIndex ??= new Map(entries.map((entry) => [entry.index, entry]));
    const entry = byIndex.get(index);
    if (entry) warnings.push({ where: `${label(index, entry.record.user.username)}, field "${field}"`, message, entry: index });
  };
  // Two lookups in a map of every key per entry, at 100,000 users, mostly of names no key could equal.
  const mayBeAKey = (name: string) => lookups.apiKeyLengths?.has(name.length) ?? true;
  const sameAs = (kind: string, index: number) => `is the same as the ${kind} of entry ${index + 1}: anyone who knows that knows the key. ${NEW_KEY}`;

  for (const { index, record, workspacesWithoutValue } of entries) {
    const { username, email, workspaces } = record.user;
    const lowCost = describeLowCost(record.hashedPassword);
    if (lowCost) warn(index, 'hashed_password', lowCost);
    for (const message of apiKeyWarnings(record.apiKey)) warn(index, 'api_key', message);
    // Names others may know must not open the API: look them up among the keys.
    const keyedByUsername = mayBeAKey(username) ? lookups.entryOfApiKey.get(username) : undefined;
    if (keyedByUsername !== undefined) warn(keyedByUsername, 'api_key', sameAs('username', index));
    const keyedByEmail = email === null || !mayBeAKey(email) ? undefined : lookups.entryOfApiKey.get(email);
    if (keyedByEmail !== undefined) warn(keyedByEmail, 'api_key', sameAs('email', index));
    if (workspacesWithoutValue) warn(index, 'workspaces', WORKSPACES_WITHOUT_VALUE);
    if (workspaces === null) continue;
    for (const workspace of workspaces) {
      const owner = lookups.entryOfUsername.get(workspace);
      if (owner === undefined || owner === index) continue;
      warn(
        index,
        'workspaces',
        `${quoted(workspace)} is also the username of entry ${owner + 1}: it is that user's own workspace, which this user then shares. ` +
          'Rename the team workspace, unless that is meant.',
      );
    }
  }
  // A key found equal to a later entry's name is reported at its own entry: keep file order.
  return warnings.sort((a, b) => (a.entry ?? 0) - (b.entry ?? 0));
}

/** Warnings as start-up, reloads and `check` print them, in the form of a UsersFileError's report. */
export function formatWarnings(file: string, warnings: readonly Problem[], subject = `users file ${file}`): string {
  const count = warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`;
  return `The ${subject} has ${count}:\n${formatProblems(warnings)}`;
}
