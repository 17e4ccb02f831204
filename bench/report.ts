/** The bench's table: each figure beside its target, with pass or short. */

export interface Row {
  /** Which of the six measurements (issue 7). */
  part: string;
  measure: string;
  figure: string;
  target: string;
  /** undefined: reported, no target. */
  pass: boolean | undefined;
  detail: string;
}

export const rows: Row[] = [];

export function report(row: Row): void {
  rows.push(row);
  const verdict = row.pass === undefined ? 'info' : row.pass ? 'pass' : 'SHORT';
  process.stderr.write(`  ${verdict.padEnd(5)} ${row.measure}: ${row.figure} (target ${row.target}) ${row.detail}\n`);
}

export const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;
export const ms = (value: number): string => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`);

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Sorts `items` by ratio, lowest first, in place, and returns the middle one (the upper of two): the median round or pair. */
export function middleByRatio<T extends { ratio: number }>(items: T[]): T {
  items.sort((a, b) => a.ratio - b.ratio);
  return items[Math.floor(items.length / 2)] as T;
}

/** A Markdown table, which reads as well in a terminal. */
export function table(): string {
  const header = ['#', 'measure', 'figure', 'target', 'result', 'detail'];
  const body = rows.map((row) => [row.part, row.measure, row.figure, row.target, row.pass === undefined ? '-' : row.pass ? 'pass' : 'short', row.detail]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => (cells[column] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

export function summary(extra: string): string {
  const judged = rows.filter((row) => row.pass !== undefined);
  const short = judged.filter((row) => !row.pass);
  const verdict = short.length === 0 ? 'all pass' : `short: ${short.map((row) => row.measure).join('; ')}`;
  return `bench: ${judged.length - short.length}/${judged.length} targets pass (${verdict}); ${extra}`;
}
