/**
 * The rule for keys that sign access tokens (HS256). Pure, so the environment reader and
 * the option checks apply the same rule with the same advice.
 */

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output, 256 bits. */
export const MIN_SECRET_KEY_BYTES = 32;

const HOW_TO_MAKE_A_SECRET_KEY = 'Make one with `openssl rand -base64 32`, or `npx express-workspace-auth gen-secret`.';

/**
 * Whitespace around a key: kept by one reader and dropped by another (a shell, an env file, a
 * list split on commas), it makes two keys of one, and tokens signed with one fail with the
 * other. So no key is trimmed anywhere, and one with whitespace around it is refused.
 */
export const SECRET_KEY_WHITESPACE_PROBLEM =
  'begins or ends with whitespace (a space, a tab or a line break). Keys are used exactly as given, so that whitespace is part of the key, ' +
  'and a copy without it (in the previous keys after a rotation, on another instance) is another key, which refuses every token this one signed. ' +
  'Remove it; separate previous keys with commas alone.';

/**
 * Why a signing key is unusable, or undefined when it is fine: the one rule for the current key
 * and the previous ones, from options and variables alike. Never repeats the key: a short key
 * is still a secret.
 */
export function describeSecretKeyProblem(key: string): string | undefined {
  if (key.trim() !== key) return SECRET_KEY_WHITESPACE_PROBLEM;
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes >= MIN_SECRET_KEY_BYTES) return undefined;
  // A short key falls to a word list: one issued token is enough to test guesses offline.
  return (
    `is ${bytes} ${bytes === 1 ? 'byte' : 'bytes'} long; a key that signs HS256 tokens must be at least ` +
    `${MIN_SECRET_KEY_BYTES} bytes (256 bits, RFC 7518 §3.2), or anyone holding one token can guess it offline. ` +
    HOW_TO_MAKE_A_SECRET_KEY
  );
}
