import { UsersFileError } from '../errors';
import { type CheckedUsers, type LoadedEntry, loadUsersInDetail } from '../users/load';
import { splitByteOrderMark } from '../users/read-file';
import type { UserRecord } from '../types';
import type { EntryLookups } from '../users/warnings';
import { documentOf, parseYamlEvents } from '../users/yaml';
import { CliError } from './io';
import type { CurrentFile } from './users-file-target';
import { type PlainItem, windowsOf } from './users-yaml-window';

/** The users file as read and loaded as the server does, ready for a command to plan on. */
export interface FileState {
  current: CurrentFile | null;
  /** The text without a leading byte-order mark, which is written back as it was. */
  text: string;
  bom: string;
  records: readonly UserRecord[];
  /** Each entry as the loader checked it, and the entry of each username and key. */
  entries: readonly LoadedEntry[];
  lookups: EntryLookups;
  /** A big plain file's entries, edited and checked one at a time (windowed-check.ts); else undefined. */
  windows: readonly PlainItem[] | undefined;
}

const BLANK_LINE = /^\s*(#.*)?$/;

/** Only blank lines and comments, line by line (a split of 100,000 users' lines took 35 ms for nothing). */
function isBlank(text: string): boolean {
  for (let start = 0; ; ) {
    const end = text.indexOf('\n', start);
    if (!BLANK_LINE.test(text.slice(start, end === -1 ? undefined : end))) return false;
    if (end === -1) return true;
    start = end + 1;
  }
}

/** A load as the server does it; its refusal as the CLI reports it: the server's report, and what was (not) done. */
export function loadOrExplain(load: () => CheckedUsers, file: string, when: 'before' | 'after'): CheckedUsers {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof UsersFileError)) throw error;
    const advice =
      when === 'before'
        ? 'Nothing was changed. Fix these first (`express-workspace-auth check` lists them), then run the command again.'
        : `Refused: the server would not load the file after this change, so ${file} was left exactly as it was.`;
    throw new CliError(`${error.message}\n${advice}`);
  }
}

/** The file loaded: one parse, whose 1.4 million events for 100,000 users are dropped before the checks; values not copied (this process keeps nothing). */
function load(text: string, file: string) {
  const parsed = parseYamlEvents(text, file);
  const windows = windowsOf(text, parsed.events);
  const read = documentOf(parsed, text, file);
  const { entries, lookups } = loadOrExplain(() => loadUsersInDetail(text, file, { read, warnings: false, detach: false }), file, 'before');
  return { entries, lookups, windows };
}

/** The file as read, loaded as the server does. */
export function stateOf(current: CurrentFile | null, file: string): FileState {
  const { text, bom } = splitByteOrderMark(current?.text ?? '');
  if (isBlank(text)) return { current, text, bom, records: [], entries: [], lookups: { entryOfUsername: new Map(), entryOfApiKey: new Map() }, windows: undefined };
  const { entries, lookups, windows } = load(text, file);
  return { current, text, bom, records: entries.map((entry) => entry.record), entries, lookups, windows };
}
