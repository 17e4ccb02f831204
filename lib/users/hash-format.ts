/**
 * What a usable bcrypt hash looks like, and what its cost means. Pure: the users-file loader
 * and the users index import this without loading native bcrypt.
 */

/** `$2a$`, `$2b$` or `$2y$`, cost 04–31, 22 salt + 31 hash characters. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

/** Above this, one login holds a core for seconds and every other login queues behind it. */
export const MAX_BCRYPT_COST = 15;
/** Below this (OWASP's floor), a stolen file's hashes are cheap to guess: a warning. */
export const MIN_RECOMMENDED_BCRYPT_COST = 10;

/** One check at cost 12, in seconds: 0.21-0.22 s measured on the project's 2-core machine. Each step doubles it. */
const SECONDS_AT_COST_12 = 0.21;

const HOW_TO_MAKE_A_HASH =
  'Make a bcrypt hash with `htpasswd -nbB "" "<password>" | cut -d: -f2`, ' +
  'or `printf %s "<password>" | npx express-workspace-auth hash-password`.';

/** The cost of a well-formed hash: its two digits after `$2b$`. */
export function bcryptCost(hash: string): number {
  return (hash.charCodeAt(4) - 48) * 10 + (hash.charCodeAt(5) - 48);
}

/** Roughly how long one password check takes at this cost, in words: "about 7 s". */
function loginTimeAtCost(cost: number): string {
  const seconds = SECONDS_AT_COST_12 * 2 ** (cost - 12);
  if (seconds < 1) return `about ${seconds.toFixed(2)} s`;
  if (seconds < 120) return `about ${Math.round(seconds)} s`;
  if (seconds < 2 * 3600) return `about ${Math.round(seconds / 60)} minutes`;
  return `about ${Math.round(seconds / 3600)} hours`;
}

/** Why a value is not a usable bcrypt hash, or undefined when it is one. Never repeats the value. */
export function describeHashProblem(value: string): string | undefined {
  if (BCRYPT_HASH.test(value)) {
    const cost = bcryptCost(value);
    if (cost <= MAX_BCRYPT_COST) return undefined;
    return (
      `has bcrypt cost ${cost}: each login would take ${loginTimeAtCost(cost)} of a core (cost 12 takes ${loginTimeAtCost(12)}, ` +
      `and every step doubles it), and other logins would queue behind it. Use a cost from ${MIN_RECOMMENDED_BCRYPT_COST} to ${MAX_BCRYPT_COST}. ${HOW_TO_MAKE_A_HASH}`
    );
  }
  let what: string;
  if (value.startsWith('$apr1$')) what = 'is an Apache MD5 ($apr1$) hash, which is not supported';
  else if (value.startsWith('$2x$')) what = 'is a $2x$ bcrypt hash (made by a known-buggy crypt_blowfish), which is not supported';
  else if (value.startsWith('{SHA}')) what = 'is an unsalted SHA-1 ({SHA}) hash, which is not supported';
  else if (/^\$2[aby]\$/.test(value)) what = 'looks like bcrypt but is malformed (cut short, or a wrong cost)';
  else if (value.startsWith('$')) what = 'is a hash of an unsupported kind';
  else what = 'is not a hash: it looks like a plaintext password';
  return `${what}; only bcrypt ($2a$, $2b$, $2y$) is accepted. ${HOW_TO_MAKE_A_HASH}`;
}

/** Advice for a usable hash whose cost is below the recommended floor, or undefined. */
export function describeLowCost(hash: string): string | undefined {
  const cost = bcryptCost(hash);
  if (cost >= MIN_RECOMMENDED_BCRYPT_COST) return undefined;
  return (
    `has bcrypt cost ${cost}, below the recommended ${MIN_RECOMMENDED_BCRYPT_COST}: if the file leaks, its passwords are cheap to guess. ` +
    `Hash the password again with cost 12: \`printf %s "<password>" | npx express-workspace-auth hash-password --cost 12\` ` +
    '(htpasswd -nbB uses cost 5 unless given -C 12).'
  );
}
