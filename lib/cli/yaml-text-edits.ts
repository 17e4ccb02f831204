import { isCollection, isPair, isScalar, parse, Scalar, type Node, type Pair } from 'yaml';

/** Replace `source.slice(start, end)` with `text`. Edits are made on the text, so every byte outside them stays. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits, last first so earlier offsets stay valid. */
export function applyTextEdits(source: string, edits: readonly TextEdit[]): string {
  let result = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}

export type ScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE';

/** The quoting of an existing value, to write its replacement the same way. */
export function styleOf(node: unknown): ScalarStyle {
  const type = isScalar(node) ? node.type : undefined;
  return type === Scalar.QUOTE_SINGLE || type === Scalar.PLAIN ? type : 'QUOTE_DOUBLE';
}

/**
 * True when `value` written bare reads back as the same string in YAML 1.2 (the server) and in
 * YAML 1.1 (PyYAML, Argilla): `yes`, `null`, `0x1F`, `1:20` or `2024-01-01` would not.
 */
function plainIsSafe(value: string): boolean {
  if (!/^[A-Za-z0-9$_-][A-Za-z0-9$._/@+-]*$/.test(value)) return false;
  try {
    return parse(value, { version: '1.2' }) === value && parse(value, { version: '1.1' }) === value;
  } catch {
    return false;
  }
}

/**
 * A string as a YAML scalar in the requested style, or double-quoted when bare would change
 * its meaning. Callers refuse control characters first; JSON's escapes are valid in YAML's
 * double quotes.
 */
export function renderScalar(value: string, style: ScalarStyle): string {
  if (style === 'PLAIN' && plainIsSafe(value)) return value;
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return JSON.stringify(value);
}

/** The column of an offset: how far it is from the start of its line. */
export function columnOf(source: string, offset: number): number {
  return offset - (source.lastIndexOf('\n', offset - 1) + 1);
}

/** The offset where the line holding the last non-blank character before `offset` ends (past its line break). */
export function endOfLastLine(source: string, offset: number): number {
  let last = offset;
  while (last > 0 && /\s/.test(source[last - 1] ?? '')) last -= 1;
  const lineBreak = source.indexOf('\n', last);
  return lineBreak === -1 ? source.length : lineBreak + 1;
}

/** Where a node's own text ends, before trailing comments and blank lines. */
export function contentEnd(node: Node | Pair | null): number {
  if (node === null) return 0;
  if (isPair(node)) return Math.max(contentEnd(node.key as Node | null), contentEnd(node.value as Node | null));
  if (isCollection(node) && !node.flow && node.items.length > 0) {
    return contentEnd(node.items[node.items.length - 1] as Node | Pair);
  }
  return node.range?.[1] ?? 0;
}
