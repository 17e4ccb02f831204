import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import { createConcurrencyLimit } from '../util/concurrency-limit';

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

// Shared by every plugin instance without a bound of its own, and by hashPassword: their
// hashes run on the same libuv thread pool and the same cores.
const limitHashing = createConcurrencyLimit(DEFAULT_MAX_CONCURRENT_HASHES);

/** Checks a password against a bcrypt hash: off the event loop, with bounded concurrency. */
export type PasswordVerifier = (password: string, hash: string) => Promise<boolean>;

/**
 * A verifier with its own bound of `maxConcurrentHashes` hashes at once (the `maxConcurrentHashes`
 * option of one plugin instance), or, without it, the process-wide default bound.
 */
export function createPasswordVerifier(maxConcurrentHashes?: number): PasswordVerifier {
  const limit = maxConcurrentHashes === undefined ? limitHashing : createConcurrencyLimit(maxConcurrentHashes);
  return (password, hash) => limit(() => bcrypt.compare(password, asNativeHash(hash)));
}

const verifyWithinDefaultBound = createPasswordVerifier();

/** Checks a password against a bcrypt hash, off the event loop and within the default bound. */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return verifyWithinDefaultBound(password, hash);
}

/** A `$2b$` hash of the password. */
export function hashPassword(password: string, cost: number): Promise<string> {
  return limitHashing(() => bcrypt.hash(password, cost));
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
