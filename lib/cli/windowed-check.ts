import { type Problem, UsersFileError } from '../errors';
import { type EntryLookups, type LoadedEntry, loadUsersInDetail, warningsOf } from '../users/load';
import type { EntryLookup } from '../users/warnings';
import { sameUser } from './user-records';
import type { PlainItem } from './users-yaml-window';
import type { TextEdit } from './yaml-text-edits';

/** A plain users file as loaded before an edit: its text, the lines of its entries, each entry as checked, and the entry of each username and key. */
export interface PlainFile {
  source: string;
  items: readonly PlainItem[];
  entries: readonly LoadedEntry[];
  lookups: EntryLookups;
}

/**
 * The entry of each name (or key) after entries `from` to `to` were replaced by `added`, from the
 * lookup before: a view, not a new Map (putting 200,000 names in one took 0.1 to 0.2 s here).
 * Names that appear twice give the first entry, as the loader's lookup does.
 */
function lookupAfter(before: EntryLookup, from: number, to: number, added: readonly string[]): EntryLookup {
  const shift = added.length - (to - from + 1);
  // The same names in the same places (every edit but a new key, an added or a removed user): the lookup before, as it is.
  if (shift === 0 && added.every((name, offset) => before.get(name) === from + offset)) return before;
  const fresh = new Map<string, number>();
  added.forEach((name, offset) => {
    if (!fresh.has(name)) fresh.set(name, from + offset);
  });
  return {
    get(name) {
      const old = before.get(name);
      const kept = old === undefined || (old >= from && old <= to) ? undefined : old < from ? old : old + shift;
      const addedAt = fresh.get(name);
      return kept === undefined || addedAt === undefined ? (kept ?? addedAt) : Math.min(kept, addedAt);
    },
  };
}

/** The file after the edit, as the server's loader makes it: each entry as checked, and the warnings. */
export interface EditedFile {
  entries: LoadedEntry[];
  warnings: Problem[];
}

/** The last entry whose lines start at or before `offset`. */
function itemAt(items: readonly PlainItem[], offset: number): number {
  let [low, high] = [0, items.length - 1];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((items[middle]?.lineStart ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

const sameEntry = (a: LoadedEntry | undefined, b: LoadedEntry | undefined) =>
  a !== undefined && b !== undefined && sameUser(a.record, b.record) && a.workspacesWithoutValue === b.workspacesWithoutValue;

/** The context's entries, or undefined when the server would not load the context (it may still load the whole file). */
function loadContext(context: string, file: string): LoadedEntry[] | undefined {
  try {
    return loadUsersInDetail(context, file, { detach: false }).entries;
  } catch (error) {
    if (error instanceof UsersFileError) return undefined;
    throw error;
  }
}

/**
 * What the server's loader makes of a plain file after edits of its entries' lines, without
 * loading the other entries again; or undefined when this cannot tell, and the whole file must be
 * loaded (which then gives the report of a refusal, so a refused edit says exactly what the
 * server says).
 *
 * Why it is the same: in a plain file (users-yaml-window.ts) every entry starts on a `- ` line
 * at the list's column, which ends whatever the entry before left open (js-yaml refuses a quote
 * or a flow list continued at that column), so an entry reads the same whatever came before it.
 * What edited lines can change is the entry before them (a block scalar at its end takes in the
 * lines that follow it) and, as a guard, the entry after. So the context loaded here is the head
 * of the file (comments, directives, `---`), the entry before, the edited lines and the entry
 * after, loaded as the server loads a file; the entries before and after must come out as they
 * were. Every entry beyond is the same text read in the same state: the same record as before.
 * The rules across entries and the warnings then cover the whole list. An edit in the head of the
 * file, or a context that does not load, gives undefined.
 */
export function loadEditedPlainFile(before: PlainFile, edits: readonly TextEdit[], edited: string, file: string): EditedFile | undefined {
  const { source, items, entries } = before;
  const first = items[0];
  if (!first || edits.length === 0 || items.length !== entries.length) return undefined;
  const low = Math.min(...edits.map((edit) => edit.start));
  const high = Math.max(...edits.map((edit) => edit.end));
  if (low < first.lineStart) return undefined;
  // The entries whose lines the edits touch; text inserted where an entry's line starts goes with the one before it.
  const from = itemAt(items, Math.max(low - 1, first.lineStart));
  const to = Math.max(from, itemAt(items, Math.max(high - 1, first.lineStart)));

  const delta = edited.length - source.length;
  const hasBefore = from > 0;
  const hasAfter = to + 1 < items.length;
  const contextStart = items[from - 1]?.lineStart ?? first.lineStart;
  const contextEnd = items[to + 2]?.lineStart ?? source.length;
  const head = source.slice(0, first.lineStart);
  const context = head + edited.slice(contextStart, contextEnd + delta);
  const loaded = loadContext(context, file);
  if (!loaded) return undefined;

  if (hasBefore && !sameEntry(loaded[0], entries[from - 1])) return undefined;
  if (hasAfter && !sameEntry(loaded[loaded.length - 1], entries[to + 1])) return undefined;

  const inWindow = loaded.slice(hasBefore ? 1 : 0, hasAfter ? -1 : undefined);
  const after = [...entries.slice(0, from), ...inWindow, ...entries.slice(to + 1)];
  // Each entry's place in the new list: reports and warnings name entries by it.
  const reindexed = after.map((entry, index) => (entry.index === index ? entry : { ...entry, index }));
  const lookups: EntryLookups = {
    entryOfUsername: lookupAfter(before.lookups.entryOfUsername, from, to, inWindow.map((entry) => entry.record.user.username)),
    entryOfApiKey: lookupAfter(before.lookups.entryOfApiKey, from, to, inWindow.map((entry) => entry.record.apiKey)),
  };
  // The loader's rule across entries (crossEntryProblems): no two share a username or a key. The
  // context's own load refused two in it; the others did not share one before, so what is left
  // is an entry of the window sharing one with an entry kept from before.
  const keptHas = (lookup: EntryLookup, name: string) => {
    const old = lookup.get(name);
    return old !== undefined && (old < from || old > to);
  };
  const { entryOfUsername, entryOfApiKey } = before.lookups;
  if (inWindow.some(({ record }) => keptHas(entryOfUsername, record.user.username) || keptHas(entryOfApiKey, record.apiKey))) return undefined;
  return { entries: reindexed, warnings: warningsOf(reindexed, file, lookups) };
}
