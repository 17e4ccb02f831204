/**
 * What is legal in a users file but likely a mistake: reported beside the users, at start,
 * at every reload and by `check`, and never stops a file from loading.
 */
import { describeLowCost } from './bcrypt-format';
import { formatProblems, type Problem } from './errors';
import { quoted } from './report-text';
import type { UserRecord } from './types';

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

/** What a key must not equal: a username or an email of any entry, which others may know. */
interface PublicName {
  kind: 'username' | 'email';
  entry: LoadedEntry;
}

/** Why an API key is weak or unusable; never the key itself. */
function apiKeyWarnings(apiKey: string, publicNames: ReadonlyMap<string, PublicName>): string[] {
  const found: string[] = [];
  const sameAs = publicNames.get(apiKey);
  // The usual key: long enough, printable ASCII, no space at either end. One test, no allocation.
  if (!sameAs && USUAL_KEY.test(apiKey)) return found;
  if (apiKey.length < MIN_API_KEY_LENGTH) {
    found.push(`is shorter than ${MIN_API_KEY_LENGTH} characters (${apiKey.length}): a short key is easy to guess. ${NEW_KEY}`);
  }
  if (apiKey.trim() !== apiKey) {
    found.push(`starts or ends with whitespace, which HTTP strips from header values: no request can present this key. ${NEW_KEY}`);
  }
  if (/[^\x20-\x7e]/.test(apiKey)) {
    found.push(`has characters outside printable ASCII, which HTTP headers cannot carry: no request can present this key. ${NEW_KEY}`);
  }
  if (sameAs) found.push(`is the same as the ${sameAs.kind} of entry ${sameAs.entry.index + 1}: anyone who knows that knows the key. ${NEW_KEY}`);
  return found;
}

/** How reports name an entry: `file: entry 2 (bob)`. */
export type EntryLabel = (index: number, username: string) => string;

const WORKSPACES_WITHOUT_VALUE =
  'has no value, which makes this user a super-user with access to every workspace (as in Argilla). ' +
  'Leave the field out if that is meant, or write `workspaces: []` for the user workspace only.';

/** Every warning of a file whose entries are all valid, in file order. */
export function usersFileWarnings(entries: readonly LoadedEntry[], label: EntryLabel): Problem[] {
  const warnings: Problem[] = [];
  const warning = (entry: LoadedEntry, field: string, message: string): Problem => ({
    where: `${label(entry.index, entry.record.user.username)}, field "${field}"`,
    message,
    entry: entry.index,
  });
  const publicNames = new Map<string, PublicName>();
  for (const entry of entries) publicNames.set(entry.record.user.username, { kind: 'username', entry });
  for (const entry of entries) {
    const { email } = entry.record.user;
    if (email !== null && !publicNames.has(email)) publicNames.set(email, { kind: 'email', entry });
  }

  for (const entry of entries) {
    const { record } = entry;
    const lowCost = describeLowCost(record.hashedPassword);
    if (lowCost) warnings.push(warning(entry, 'hashed_password', lowCost));
    for (const message of apiKeyWarnings(record.apiKey, publicNames)) warnings.push(warning(entry, 'api_key', message));
    if (entry.workspacesWithoutValue) warnings.push(warning(entry, 'workspaces', WORKSPACES_WITHOUT_VALUE));
    for (const workspace of record.user.workspaces ?? []) {
      const owner = publicNames.get(workspace);
      if (owner?.kind !== 'username' || owner.entry === entry) continue;
      const message =
        `${quoted(workspace)} is also the username of entry ${owner.entry.index + 1}: it is that user's own workspace, which this user then shares. ` +
        'Rename the team workspace, unless that is meant.';
      warnings.push(warning(entry, 'workspaces', message));
    }
  }
  return warnings;
}

/** Warnings as start-up, reloads and `check` print them, in the form of a UsersFileError's report. */
export function formatWarnings(file: string, warnings: readonly Problem[]): string {
  const count = warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`;
  return `The users file ${file} has ${count}:\n${formatProblems(warnings)}`;
}
