/**
 * The checks of one users-file entry, field by field: each problem a sentence with the fix,
 * every problem of the entry at once (the fields in the order of FIELDS, then the unknown ones).
 * Pure, and written out rather than a schema library's: the one schema of the package did not
 * need a 6 MB dependency, and its messages are the package's own either way.
 */
import type { Problem } from '../errors';
import { USERNAME_PATTERN, USERNAME_RULE, WORKSPACE_PATTERN, WORKSPACE_RULE } from '../names';
import type { UsersFileEntry } from '../types';
import { closestName } from '../util/did-you-mean';
import { describeValue, quoted } from '../util/report-text';
import { describeHashProblem } from './hash-format';

export const FIELDS = ['username', 'hashed_password', 'api_key', 'email', 'full_name', 'fullname', 'disabled', 'workspaces'] as const;

/** An entry whose every field passed its check: the shape the `users` option takes too. */
export type CheckedEntry = UsersFileEntry;

/** What is wrong with a field's value (a sentence, or one per list item: `[index, sentence]`); nothing when it is fine. */
type FieldCheck = (value: unknown) => string | [number, string][] | undefined;

/**
 * A string field; a number or boolean is refused, as YAML would turn `api_key: 0123` into 83.
 * The message names the kind of value, never the value: it may be a secret, or a huge list.
 */
const text =
  (whatItIs: string, required: boolean, then?: (value: string) => string | undefined): FieldCheck =>
  (value) => {
    if (value === undefined && required) return `is required: ${whatItIs}.`;
    if (value == null && !required) return undefined;
    if (typeof value !== 'string') return `must be a string, not ${describeValue(value)}: put the value in quotes.`;
    return then?.(value);
  };

/**
 * A plausible address, as zod's `email()` (which the loader used before) had it: dot-separated
 * parts of letters, digits and `_'+-`, then a domain whose last label is two or more letters.
 */
const EMAIL = /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

const CHECKS: Record<(typeof FIELDS)[number], FieldCheck> = {
  username: text('the login name', true, (username) => (USERNAME_PATTERN.test(username) ? undefined : `${quoted(username)} is not a valid username: ${USERNAME_RULE}.`)),
  hashed_password: text('a bcrypt hash of the password', true, (hash) => {
    const problem = describeHashProblem(hash);
    return problem ? `is not usable: it ${problem}` : undefined;
  }),
  api_key: text('the secret key for the API (make one with `npx express-workspace-auth gen-api-key`)', true, (key) =>
    key.length === 0 ? 'must not be empty: make a key with `npx express-workspace-auth gen-api-key`.' : undefined,
  ),
  // Described, never echoed: an API key pasted into the wrong field would be printed at every reload.
  email: (value) => {
    if (value == null) return undefined;
    if (typeof value !== 'string') return `must be an email address in quotes, not ${describeValue(value)}.`;
    if (EMAIL.test(value)) return undefined;
    return `is not a plausible email address (e.g. "jane@example.com"). The value (${describeValue(value)}) is not shown: it may be a secret in the wrong field.`;
  },
  full_name: text('the full name', false),
  fullname: text('the full name', false),
  // `disabled:` with no value is refused: it may well have been meant as `true`.
  disabled: (value) =>
    value === undefined || typeof value === 'boolean'
      ? undefined
      : `must be true or false. It is ${describeValue(value)}: write true or false without quotes (yes/no and on/off also work, as in PyYAML).`,
  workspaces: (value) => {
    if (value == null) return undefined;
    if (!Array.isArray(value)) {
      return 'must be a list of workspace names, e.g. [client_projects]; leave the field out for a super-user, or use [] for the user workspace only.';
    }
    const problems: [number, string][] = [];
    value.forEach((workspace: unknown, index) => {
      if (typeof workspace !== 'string') problems.push([index, `must be a workspace name in quotes, not ${describeValue(workspace)}.`]);
      else if (!WORKSPACE_PATTERN.test(workspace)) problems.push([index, `${quoted(workspace)} is not a valid workspace name: ${WORKSPACE_RULE}.`]);
    });
    return problems.length > 0 ? problems : undefined;
  },
};

const KNOWN = new Set<string>(FIELDS);

/** A field of the entry's own, never an inherited one. */
export const ownField = (fields: Record<string, unknown> | undefined, field: string): unknown => (fields && Object.hasOwn(fields, field) ? fields[field] : undefined);

/**
 * Checks one entry (a mapping) of a users file or of the `users` option. Only its own
 * properties count: nothing inherited can make a user disabled, or a super-user.
 * `where(index)` names the entry (`users.yml: entry 2 (bob)`), called only for a problem; `index` is its place in the list.
 */
export function checkEntry(entry: object, where: (index: number) => string, index: number): { entry: CheckedEntry } | { problems: Problem[] } {
  const problems: Problem[] = [];
  const fields = entry as Record<string, unknown>;
  // The checked values, read once: what is checked is what is used.
  const own: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = ownField(fields, field);
    if (value !== undefined) own[field] = value;
    const found = CHECKS[field](value);
    if (found === undefined) continue; // the usual case: nothing made for it (eight fields of every entry, 100,000 entries)
    if (typeof found === 'string') problems.push({ where: `${where(index)}, field ${quoted(field)}`, message: found, entry: index });
    else for (const [item, message] of found) problems.push({ where: `${where(index)}, field ${quoted(field)}[${item}]`, message, entry: index });
  }
  for (const key of Object.keys(fields)) {
    if (KNOWN.has(key)) continue;
    const suggestion = closestName(key, FIELDS);
    const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
    problems.push({ where: `${where(index)}, field ${quoted(key)}`, message: `is not a known field.${hint} Known fields: ${FIELDS.join(', ')}.`, entry: index });
  }
  return problems.length > 0 ? { problems } : { entry: own as unknown as CheckedEntry };
}
