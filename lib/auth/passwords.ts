import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import { ConcurrencyLimit } from '../util/concurrency-limit';

// The hash format lives apart, so the loader and the users index never load native bcrypt.
export { describeHashProblem } from '../users/hash-format';

/**
 * `$2y$` (htpasswd, PHP) is the same algorithm as `$2b$`, but native bcrypt rejects it
 * without hashing: rewrite the prefix so such hashes verify and take the full time.
 */
function asNativeHash(hash: string): string {
  return hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash;
}

/** The default bound on bcrypt hashes at once: one core stays free for the event loop, bcrypt gets the rest (at least one). */
export const DEFAULT_MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);

// Shared by every plugin instance without a bound of its own, and by hashPassword and
// verifyPassword: their hashes run on the same libuv thread pool and the same cores.
const sharedHashLimit = new ConcurrencyLimit(DEFAULT_MAX_CONCURRENT_HASHES);

/** The bound on bcrypt hashes of one plugin instance: its own `maxConcurrentHashes`, else the one shared by the process. */
export function hashLimitOf(maxConcurrentHashes: number | undefined): ConcurrencyLimit {
  return maxConcurrentHashes === undefined ? sharedHashLimit : new ConcurrencyLimit(maxConcurrentHashes);
}

/** Checks a password against a bcrypt hash, off the event loop. */
export type PasswordVerifier = (password: string, hash: string) => Promise<boolean>;

/**
 * The check itself, for a caller that holds a place of its hash limit already (a login whose
 * turn the login line gave): it starts at once.
 */
export const compareInTurn: PasswordVerifier = (password, hash) => bcrypt.compare(password, asNativeHash(hash));

/** A verifier that waits for a place of `limit` (the process-wide bound by default) before each check. */
export function createPasswordVerifier(limit: ConcurrencyLimit = sharedHashLimit): PasswordVerifier {
  return (password, hash) => limit.run(() => compareInTurn(password, hash));
}

const verifyWithinDefaultBound = createPasswordVerifier();

/** Checks a password against a bcrypt hash, off the event loop and within the default bound. */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return verifyWithinDefaultBound(password, hash);
}

/** A `$2b$` hash of the password. */
export function hashPassword(password: string, cost: number): Promise<string> {
  return sharedHashLimit.run(() => bcrypt.hash(password, cost));
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * A hash of a random password at the given cost. Verifying a login for an unknown user
 * against it takes as long as a wrong password for a known one, so timing tells nothing.
 */
export function dummyHash(cost: number): Promise<string> {
  const cached = dummyHashes.get(cost);
  if (cached) return cached;
  const hash = bcrypt.hash(randomBytes(16).toString('hex'), cost);
  dummyHashes.set(cost, hash);
  return hash;
}
