import { EVENT_ID, type Event, getScalarValue } from 'js-yaml';
import type { YAMLMap } from 'yaml';
import { UsersYaml, type FieldValue } from './users-yaml';
import type { TextEdit } from './yaml-text-edits';

/** What the commands edit a users file through: its entries located, and every change a TextEdit on the whole text. */
export interface EditableUsersYaml {
  readonly eol: string;
  findEntry(username: string): YAMLMap | undefined;
  setField(entry: YAMLMap, key: string, value: FieldValue): TextEdit;
  removeField(entry: YAMLMap, key: string): TextEdit | null;
  removeEntry(entry: YAMLMap): TextEdit;
  appendEntry(fields: ReadonlyArray<readonly [string, FieldValue]>): TextEdit;
}

/** A top-level entry of a plain block list: where its line starts, and its username. */
export interface PlainItem {
  lineStart: number;
  username: string | undefined;
}

/**
 * The entries of a plain users file, from the events of js-yaml (the parser of the server's
 * loader, and some 15 times faster than the `yaml` package's document on 100,000 users): one
 * document, a block list of block mappings, each starting on a `- ` line, and no anchor or
 * alias anywhere, so every entry stands alone. Anything else: undefined.
 */
export function plainItems(source: string, events: readonly Event[]): PlainItem[] | undefined {
  const items: PlainItem[] = [];
  let depth = 0;
  let documents = 0;
  let childIndex = 0; // of the current entry's mapping: even indexes are keys
  let key: string | undefined;
  for (const event of events) {
    if (event.type === EVENT_ID.ALIAS || ('anchorStart' in event && event.anchorStart !== -1)) return undefined;
    if (event.type === EVENT_ID.DOCUMENT) {
      documents += 1;
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      depth -= 1;
      continue;
    }
    if (depth === 0 && (event.type !== EVENT_ID.SEQUENCE || event.style !== 1)) return undefined;
    if (depth === 1) {
      if (event.type !== EVENT_ID.MAPPING || event.style !== 1) return undefined;
      const lineStart = source.lastIndexOf('\n', event.start - 1) + 1;
      if (!/^[ ]*-[ ]+$/.test(source.slice(lineStart, event.start))) return undefined;
      items.push({ lineStart, username: undefined });
      childIndex = 0;
    } else if (depth === 2) {
      if (event.type === EVENT_ID.SCALAR) {
        const text = getScalarValue(source, event);
        const item = items[items.length - 1];
        if (childIndex % 2 === 0) key = text;
        else if (key === 'username' && item && item.username === undefined) item.username = text;
      }
      childIndex += 1;
    }
    if (event.type === EVENT_ID.SEQUENCE || event.type === EVENT_ID.MAPPING) depth += 1;
  }
  return documents === 1 && items.length > 0 ? items : undefined;
}

const shifted = (edit: TextEdit, offset: number): TextEdit => ({ ...edit, start: edit.start + offset, end: edit.end + offset });

/**
 * A big users file edited through the one entry a command touches: that entry's lines are
 * parsed alone by the `yaml` package, and its edits shifted back to the whole text. The
 * result is then checked in its place (windowed-check.ts) and compared user by user as for any
 * edit (edit-session.ts).
 */
class WindowedUsersYaml implements EditableUsersYaml {
  readonly eol: string;
  private readonly windows = new Map<YAMLMap, { yaml: UsersYaml; offset: number }>();

  constructor(
    private readonly source: string,
    private readonly file: string,
    private readonly items: readonly PlainItem[],
  ) {
    this.eol = source.includes('\r\n') ? '\r\n' : '\n';
  }

  findEntry(username: string): YAMLMap | undefined {
    const index = this.items.findIndex((item) => item.username === username);
    return index === -1 ? undefined : this.window(index).entry;
  }

  setField(entry: YAMLMap, key: string, value: FieldValue): TextEdit {
    const { yaml, offset } = this.of(entry);
    return shifted(yaml.setField(entry, key, value), offset);
  }

  removeField(entry: YAMLMap, key: string): TextEdit | null {
    const { yaml, offset } = this.of(entry);
    const edit = yaml.removeField(entry, key);
    return edit && shifted(edit, offset);
  }

  removeEntry(entry: YAMLMap): TextEdit {
    const { yaml, offset } = this.of(entry);
    return shifted(yaml.removeEntry(entry), offset);
  }

  appendEntry(fields: ReadonlyArray<readonly [string, FieldValue]>): TextEdit {
    const { yaml, offset } = this.window(this.items.length - 1);
    return shifted(yaml.appendEntry(fields), offset);
  }

  private window(index: number): { yaml: UsersYaml; offset: number; entry: YAMLMap | undefined } {
    const offset = this.items[index]?.lineStart ?? 0;
    const end = this.items[index + 1]?.lineStart ?? this.source.length;
    const yaml = UsersYaml.parse(this.source.slice(offset, end), this.file);
    const entry = yaml.firstEntry();
    if (entry) this.windows.set(entry, { yaml, offset });
    return { yaml, offset, entry };
  }

  private of(entry: YAMLMap): { yaml: UsersYaml; offset: number } {
    const window = this.windows.get(entry);
    if (!window) throw new Error('an entry of another file');
    return window;
  }
}

/** Files below this size are edited and checked whole: every edit path is then the one the specs run most. */
export const WINDOWED_FROM_BYTES = 256 * 1024;

/** The entries of a big plain file, to edit and check one at a time; undefined for a file edited and checked whole. */
export function windowsOf(source: string, events: readonly Event[] | undefined, fromBytes = WINDOWED_FROM_BYTES): PlainItem[] | undefined {
  return events && source.length >= fromBytes ? plainItems(source, events) : undefined;
}

/** The users file ready for editing: parsed whole, or one entry at a time through the windows of windowsOf. */
export function editableUsersYaml(source: string, file: string, windows?: readonly PlainItem[]): EditableUsersYaml {
  return windows ? new WindowedUsersYaml(source, file, windows) : UsersYaml.parse(source, file);
}
