import { isAlias, isMap, isScalar, isSeq, parseDocument, type CST, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { CliError } from './io';
import { columnOf, contentEnd, endOfLastLine, renderScalar, styleOf, type ScalarStyle, type TextEdit } from './yaml-text-edits';

/** A field value to write: a string (quoted like its neighbours, or as needed), a boolean, a flow list, or null. */
export type FieldValue = string | boolean | readonly string[] | null;

const HOW_TO_EDIT = 'edit this file by hand (then check it with `express-workspace-auth check`).';

/**
 * A users file as text plus its YAML structure, located with the `yaml` package's document and
 * CST offsets. Every change is a TextEdit on the original text: comments, quoting, blank
 * lines and every other entry stay byte for byte, which a re-dump of the document would not keep.
 */
export class UsersYaml {
  /** `\r\n` in a file written on Windows, so added lines match the others. */
  readonly eol: string;
  private readonly list: YAMLSeq | null;

  private constructor(
    readonly source: string,
    list: YAMLSeq | null,
  ) {
    this.eol = source.includes('\r\n') ? '\r\n' : '\n';
    this.list = list;
  }

  static parse(source: string, file: string): UsersYaml {
    const document = parseDocument(source, { keepSourceTokens: true });
    const error = document.errors[0];
    if (error) throw new CliError(`${file} cannot be edited safely (${error.message.split('\n')[0]}): ${HOW_TO_EDIT}`);
    const top = document.contents;
    if (top !== null && !isSeq(top)) throw new CliError(`${file} is not a list of users at the top level: ${HOW_TO_EDIT}`);
    return new UsersYaml(source, top);
  }

  /** The first entry of the list (the only one, when this is the text of one entry). */
  firstEntry(): YAMLMap | undefined {
    return this.entries()[0];
  }

  /** The entry of a user, found by its own `username` field. */
  findEntry(username: string): YAMLMap | undefined {
    return this.entries().find((entry) => {
      const value = ownPair(entry, 'username')?.value;
      return isScalar(value) && value.value === username;
    });
  }

  /** Sets a field of an entry: its value replaced in place, or a new line (a new `key: value` in a flow entry). */
  setField(entry: YAMLMap, key: string, value: FieldValue): TextEdit {
    const pair = ownPair(entry, key);
    if (!pair) return this.addField(entry, key, value);
    const node = pair.value as Node | null;
    if ((isSeq(node) || isMap(node)) && node.range) return this.replaceCollection(pair, node, key, value);
    if (node === null || !(isScalar(node) || isAlias(node)) || !node.range) {
      throw new CliError(`The "${key}" field of this entry is not a single value, so it cannot be replaced safely: ${HOW_TO_EDIT}`);
    }
    let end = node.range[1];
    while (end > node.range[0] && /\s/.test(this.source[end - 1] ?? '')) end -= 1; // a block scalar's last line break stays
    const text = render(value, styleOf(node));
    const gap = this.source[node.range[0] - 1] === ':' ? ' ' : ''; // `disabled:` with no value
    return { start: node.range[0], end, text: gap + text };
  }

  /**
   * Removes a field of a block entry: its lines, from its key to its last value (null when the
   * entry has no such field). In a flow entry (`- {username: a, ...}`) the value becomes `null`.
   */
  removeField(entry: YAMLMap, key: string): TextEdit | null {
    const pair = ownPair(entry, key);
    if (!pair) return null;
    if (entry.flow) return this.setField(entry, key, null);
    const keyNode = pair.key as Node;
    const start = keyNode.range?.[0] ?? -1;
    const lineStart = this.source.lastIndexOf('\n', start - 1) + 1;
    if (start < 0 || this.source.slice(lineStart, start).trim() !== '') {
      throw new CliError(`The "${key}" field does not start on a line of its own (it follows the "-" of the entry), so it cannot be removed safely: ${HOW_TO_EDIT}`);
    }
    return { start: lineStart, end: endOfLastLine(this.source, contentEnd(pair)), text: '' };
  }

  /**
   * A list or mapping value replaced by `value`: a flow one (`[a, b]`) where it stands, a block one
   * (`- a` lines) from the `:` of its key on. A comment inside a block list would go with it: refused.
   */
  private replaceCollection(pair: Pair, node: YAMLSeq | YAMLMap, key: string, value: FieldValue): TextEdit {
    const range = node.range as [number, number, number];
    if (node.flow) return { start: range[0], end: range[1], text: render(value, 'PLAIN') };
    const keyEnd = (pair.key as Node).range?.[1] ?? range[0];
    const start = this.source.indexOf(':', keyEnd) + 1;
    const end = contentEnd(node);
    if (start <= 0 || start > range[0] || this.source.slice(start, end).includes('#')) {
      throw new CliError(`The "${key}" field of this entry is a list with comments in it, which replacing it would lose: ${HOW_TO_EDIT}`);
    }
    return { start, end, text: ` ${render(value, 'PLAIN')}` };
  }

  /** Removes an entry: its lines, from its `-` to its last value. Comments around it stay. */
  removeEntry(entry: YAMLMap): TextEdit {
    const dash = this.dashOffset(this.list?.items.indexOf(entry) ?? -1);
    const lineStart = this.source.lastIndexOf('\n', dash - 1) + 1;
    if (this.source.slice(lineStart, dash).trim() !== '') throw new CliError(`This entry does not start on a line of its own: ${HOW_TO_EDIT}`);
    return { start: lineStart, end: endOfLastLine(this.source, contentEnd(entry)), text: '' };
  }

  /** Appends an entry after the last one, indented and quoted like it. */
  appendEntry(fields: ReadonlyArray<readonly [string, FieldValue]>): TextEdit {
    const items = this.entries();
    const last = items[items.length - 1];
    let dashColumn = 0;
    let keyColumn = 2;
    let at = this.source.length;
    if (this.list && last) {
      dashColumn = columnOf(this.source, this.dashOffset(this.list.items.indexOf(last)));
      const firstKey = last.flow ? undefined : (last.items[0]?.key as Node | undefined);
      keyColumn = Math.max(dashColumn + 2, firstKey?.range ? columnOf(this.source, firstKey.range[0]) : 0);
      at = endOfLastLine(this.source, contentEnd(this.list));
    }
    const styleLike = (key: string): ScalarStyle => {
      const neighbour = last && ownPair(last, key);
      return neighbour ? styleOf(neighbour.value) : 'PLAIN';
    };
    const lines = fields.map(([key, value]) => `${key}: ${render(value, styleLike(key))}`);
    const [first, ...rest] = lines;
    const text = [
      `${' '.repeat(dashColumn)}-${' '.repeat(keyColumn - dashColumn - 1)}${first}`,
      ...rest.map((line) => `${' '.repeat(keyColumn)}${line}`),
    ].join(this.eol);
    const needsBreak = at > 0 && at === this.source.length && !this.source.endsWith('\n');
    return { start: at, end: at, text: `${needsBreak ? this.eol : ''}${text}${this.eol}` };
  }

  private addField(entry: YAMLMap, key: string, value: FieldValue): TextEdit {
    const lastPair = entry.items[entry.items.length - 1];
    const firstKey = entry.items[0]?.key as Node | undefined;
    if (!lastPair || !firstKey?.range) throw new CliError(`This entry has no fields to place "${key}" beside: ${HOW_TO_EDIT}`);
    const text = `${key}: ${render(value, 'PLAIN')}`;
    if (entry.flow) {
      const at = contentEnd(lastPair);
      return { start: at, end: at, text: `, ${text}` };
    }
    const at = endOfLastLine(this.source, contentEnd(entry));
    const needsBreak = at === this.source.length && !this.source.endsWith('\n');
    const line = `${' '.repeat(columnOf(this.source, firstKey.range[0]))}${text}${this.eol}`;
    return { start: at, end: at, text: `${needsBreak ? this.eol : ''}${line}` };
  }

  private entries(): YAMLMap[] {
    return (this.list?.items ?? []).filter((item): item is YAMLMap => isMap(item));
  }

  /** Where the `-` of the list's n-th item is: only a block list (`- username: ...`) has one. */
  private dashOffset(index: number): number {
    const token = this.list?.srcToken as CST.BlockSequence | undefined;
    const dash = token?.type === 'block-seq' ? token.items[index]?.start.find((part) => part.type === 'seq-item-ind') : undefined;
    if (!dash || this.list?.items.length !== token?.items.length) {
      throw new CliError(`The users are not written as a block list (\`- username: ...\` on lines of their own), which this command edits: ${HOW_TO_EDIT}`);
    }
    return dash.offset;
  }
}

function ownPair(entry: YAMLMap, key: string): Pair | undefined {
  return entry.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
}

function render(value: FieldValue, style: ScalarStyle): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return renderScalar(value, style);
  return `[${value.map((item) => renderScalar(item, 'PLAIN')).join(', ')}]`;
}
