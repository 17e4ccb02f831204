/**
 * How reports (users-file problems, warnings, configuration errors) show what they found.
 * A report goes to logs and terminals: it must never carry a secret, and nothing in it may
 * pass for a line of its own or a terminal command.
 */

/** Longer values are cut to this many characters, with their length said. */
const MAX_SHOWN_CHARACTERS = 40;

// C0 and C1 controls, DEL, line and paragraph separators, and format characters (bidi overrides,
// zero-width ones) that could make a shown value read as something else.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's job.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}]/gu;

const escapeUnsafe = (text: string) =>
  text.replace(UNSAFE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * A value a report may repeat (a username, a workspace name, a field name), quoted, with
 * every control character escaped and cut to MAX_SHOWN_CHARACTERS.
 */
export function quoted(value: string): string {
  if (value.length <= MAX_SHOWN_CHARACTERS) return escapeUnsafe(JSON.stringify(value));
  let head = value.slice(0, MAX_SHOWN_CHARACTERS);
  // Never cut a character in two.
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${escapeUnsafe(JSON.stringify(`${head}...`))} (${value.length.toLocaleString('en-US')} characters)`;
}

/**
 * What kind of value this is, never the value: for a field that may hold a secret, and for
 * values that are not strings (a list made of aliases can be huge, so it is never printed).
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty (null)';
  if (typeof value === 'string') {
    if (value.length === 0) return 'an empty string';
    return `a string of ${value.length.toLocaleString('en-US')} ${value.length === 1 ? 'character' : 'characters'}`;
  }
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true or false (a boolean)';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Set) return 'a set';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}
