/**
 * The name rules of the users file (the product contract, §1), with the advice that goes
 * with them, written once for the loader, the workspace guard and the CLI. Pure: no I/O,
 * nothing native, so any module may import it.
 */

/** A login name: lowercase letters, digits, "-" and "_", not starting with "-" or "_". */
export const USERNAME_PATTERN = /^(?!-|_)[a-z0-9-_]+$/;

/** A team workspace: letters, digits, "_" and "-", starting with a letter or digit. */
// biome-ignore lint/complexity/noUselessEscapeInRegex: the pattern as SPEC.md and the README write it; messages print its source.
export const WORKSPACE_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_\-]*$/;

export const USERNAME_RULE = 'use lowercase letters, digits, "-" and "_", not starting with "-" or "_" (e.g. "jane-doe")';

/** The workspace rule without an example, for messages that give their own. */
export const WORKSPACE_CHARACTERS = 'use letters, digits, "_" and "-", starting with a letter or digit';

export const WORKSPACE_RULE = `${WORKSPACE_CHARACTERS} (e.g. "client_projects")`;
