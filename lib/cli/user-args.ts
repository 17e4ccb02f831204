import { USERNAME_PATTERN, USERNAME_RULE, WORKSPACE_CHARACTERS, WORKSPACE_PATTERN } from '../names';
import { usageError } from './io';

/** A value as it may be shown in a message: invisible and direction-changing characters escaped, long values cut. */
export function shown(value: string, max = 40): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut).replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`);
}

/** A username as the server's loader requires it. */
export function checkUsername(value: string | undefined): string {
  if (value === undefined || !USERNAME_PATTERN.test(value)) {
    throw usageError(`${shown(value ?? '')} is not a valid username: ${USERNAME_RULE}.`);
  }
  return value;
}

/** `--workspaces a,b` or set-workspaces' list: team workspace names as the loader requires them, in order, each once; `''` is none. */
export function parseWorkspaces(value: string, given: '--workspaces' | 'set-workspaces' = '--workspaces'): string[] {
  if (value.trim() === '') return [];
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!WORKSPACE_PATTERN.test(name)) {
      const example = given === '--workspaces' ? '--workspaces client_projects,team-b' : 'set-workspaces jane client_projects,team-b';
      throw usageError(`${given}: ${shown(name)} is not a valid workspace name: ${WORKSPACE_CHARACTERS}, separated by commas (e.g. ${example}).`);
    }
  }
  return [...new Set(names)];
}

/**
 * Characters that can hide or reorder text in a terminal, a log or a web page, never written into
 * a users file: controls, line and paragraph separators, format characters (zero-width spaces
 * U+200B, direction marks and overrides U+200E-U+200F U+202A-U+202E U+2066-U+2069, the BOM
 * U+FEFF, soft hyphen, word joiner...), lone surrogates, and U+FFFD (what a command line that is
 * not UTF-8 decodes to). The zero-width joiner and non-joiner stay allowed in a full name: Persian,
 * Hindi and emoji need them to spell words.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\uFFFD]/u;
const JOINERS = new Set(['\u200C', '\u200D']);

const codePoint = (char: string) => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** `--email` or `--full-name`: printable text of a sensible length (the loader checks the email's shape). */
export function checkText(option: string, value: string | undefined, maxLength: number, { joiners = false } = {}): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw usageError(`${option} needs a value.`);
  if (value.length > maxLength) throw usageError(`${option} is ${value.length} characters long: at most ${maxLength} are accepted.`);
  const hidden = [...value].find((char) => INVISIBLE.test(char) && !(joiners && JOINERS.has(char)));
  if (hidden !== undefined) {
    throw usageError(`${option} contains ${codePoint(hidden)}, an invisible, control or text-direction character: use printable text only.`);
  }
  return value;
}
