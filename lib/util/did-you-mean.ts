/** Levenshtein distance, for "did you mean" advice on short names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known name closest to `name`, if it is close enough to be a likely typo. */
export function closestName(name: string, known: readonly string[], maxDistance = 3): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * A guess for names too far apart for an edit distance (`USERS_DB_PATH`, `API_KEY`): among the
 * known names that contain it (or that it contains), underscores aside, else among those
 * sharing the most "_"-separated words with it, the closest in spelling. No overlap, no guess.
 */
export function closestByWords<Name extends string>(name: string, known: readonly Name[]): Name | undefined {
  const compact = (text: string) => text.toUpperCase().replace(/_/g, '');
  const target = compact(name);
  let pool = known.filter((candidate) => compact(candidate).includes(target) || target.includes(compact(candidate)));
  if (pool.length === 0) {
    const words = new Set(name.toUpperCase().split('_').filter(Boolean));
    const shared = (candidate: string) => candidate.toUpperCase().split('_').filter((word) => words.has(word)).length;
    const most = Math.max(0, ...known.map(shared));
    pool = most === 0 ? [] : known.filter((candidate) => shared(candidate) === most);
  }
  let best: Name | undefined;
  let bestDistance = Infinity;
  for (const candidate of pool) {
    const distance = editDistance(name.toUpperCase(), candidate.toUpperCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
