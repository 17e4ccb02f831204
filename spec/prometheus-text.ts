/** Reads a scrape in Prometheus text format: each series (name and labels, as written) and its value. */
export function readSeries(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`Not a Prometheus text-format sample: ${JSON.stringify(line)}`);
    series.set(match[1] as string, Number(match[2]));
  }
  return series;
}
