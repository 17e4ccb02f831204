import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import yaml from 'js-yaml';
import { z } from 'zod';
import { closestName } from './did-you-mean';
import { UsersFileError, type Problem } from './errors';
import { describeHashProblem, isBcryptHash } from './passwords';
import type { UserRecord } from './types';

export const USERNAME_PATTERN = /^(?!-|_)[a-z0-9-_]+$/;
// biome-ignore lint/complexity/noUselessEscapeInRegex: the pattern as SPEC.md and the README write it; messages print its source.
export const WORKSPACE_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_\-]*$/;

const FIELDS = ['username', 'hashed_password', 'api_key', 'email', 'full_name', 'fullname', 'disabled', 'workspaces'];

const USERNAME_RULE = 'use lowercase letters, digits, "-" and "_", not starting with "-" or "_" (e.g. "jane-doe")';
const WORKSPACE_RULE = 'use letters, digits, "_" and "-", starting with a letter or digit (e.g. "client_projects")';

/** A string field; a number or boolean is refused, as YAML would turn `api_key: 0123` into 123. */
const text = (whatItIs: string) =>
  z.string({
    error: (issue) =>
      issue.input === undefined ? `is required: ${whatItIs}.` : `must be a string: put the value in quotes.`,
  });

const entrySchema = z.strictObject({
  username: text('the login name').regex(USERNAME_PATTERN, {
    error: (issue) => `"${String(issue.input)}" is not a valid username: ${USERNAME_RULE}.`,
  }),
  hashed_password: text('a bcrypt hash of the password').refine(isBcryptHash, {
    error: (issue) => `is not usable: it ${describeHashProblem(String(issue.input))}`,
  }),
  api_key: text('the secret key for the API (make one with `npx express-workspace-auth gen-api-key`)').min(1, {
    error: 'must not be empty: make a key with `npx express-workspace-auth gen-api-key`.',
  }),
  email: z.email({ error: (issue) => `"${String(issue.input)}" is not a plausible email address (e.g. "jane@example.com").` }).nullish(),
  full_name: text('the full name').nullish(),
  fullname: text('the full name').nullish(),
  // `disabled:` with no value is refused: it may well have been meant as `true`.
  disabled: z.boolean({ error: 'must be true or false.' }).optional(),
  workspaces: z
    .array(
      z.string({ error: 'must be a workspace name in quotes.' }).regex(WORKSPACE_PATTERN, {
        error: (issue) => `"${String(issue.input)}" is not a valid workspace name: ${WORKSPACE_RULE}.`,
      }),
      { error: 'must be a list of workspace names, e.g. [client_projects]; leave the field out for a super-user, or use [] for the user workspace only.' },
    )
    .nullish(),
});

function entryLabel(file: string, index: number, username: unknown): string {
  const who = typeof username === 'string' ? username : 'no username';
  return `${file}: entry ${index + 1} (${who})`;
}

function fieldLabel(path: readonly PropertyKey[]): string {
  const [field, ...rest] = path;
  return `field "${String(field)}"${rest.map((part) => `[${String(part)}]`).join('')}`;
}

function schemaProblems(issues: readonly z.core.$ZodIssue[], where: string, entry: number): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const suggestion = closestName(key, FIELDS);
        const hint = suggestion ? ` Did you mean "${suggestion}"?` : '';
        problems.push({
          where: `${where}, field "${key}"`,
          message: `is not a known field.${hint} Known fields: ${FIELDS.join(', ')}.`,
          entry,
        });
      }
    } else {
      problems.push({ where: `${where}, ${fieldLabel(issue.path)}`, message: issue.message, entry });
    }
  }
  return problems;
}

/** What the checks that span entries need of one entry: its string username and key, if any. */
interface EntryIdentity {
  index: number;
  username: unknown;
  apiKey: unknown;
}

/** Unique usernames and API keys, checked on every entry, valid or not, so all problems show at once. */
function crossEntryProblems(entries: readonly EntryIdentity[], file: string): Problem[] {
  const problems: Problem[] = [];
  const firstByUsername = new Map<string, number>();
  const firstByApiKey = new Map<string, EntryIdentity>();
  for (const entry of entries) {
    const where = entryLabel(file, entry.index, entry.username);
    if (typeof entry.username === 'string') {
      const first = firstByUsername.get(entry.username);
      if (first === undefined) firstByUsername.set(entry.username, entry.index);
      else {
        problems.push({
          where: `${where}, field "username"`,
          message: `repeats the username of entry ${first + 1}: each user must appear once.`,
          entry: entry.index,
        });
      }
    }
    if (typeof entry.apiKey === 'string') {
      const first = firstByApiKey.get(entry.apiKey);
      if (first === undefined) firstByApiKey.set(entry.apiKey, entry);
      else {
        problems.push({
          where: `${where}, field "api_key"`,
          message: `is the same as the api_key of ${entryLabel(file, first.index, first.username).slice(file.length + 2)}: every user needs a key of their own (make one with \`npx express-workspace-auth gen-api-key\`).`,
          entry: entry.index,
        });
      }
    }
  }
  return problems;
}

function toRecord(entry: z.infer<typeof entrySchema>): UserRecord {
  const workspaces = entry.workspaces ?? null;
  return {
    user: {
      username: entry.username,
      email: entry.email ?? null,
      full_name: entry.full_name ?? entry.fullname ?? null,
      disabled: entry.disabled ?? false,
      workspaces: workspaces && [...new Set(workspaces)],
      superuser: workspaces === null,
    },
    hashedPassword: entry.hashed_password,
    apiKey: entry.api_key,
  };
}

/** The YAML document, or null for a file of only blanks and comments (which js-yaml refuses as invalid). */
function loadYaml(source: string, file: string): unknown {
  if (source.split('\n').every((line) => /^\s*(#.*)?$/.test(line))) return null;
  try {
    return yaml.load(source, { filename: file });
  } catch (error) {
    const mark = error instanceof yaml.YAMLException ? error.mark : undefined;
    const reason = error instanceof yaml.YAMLException ? error.reason : String(error);
    const where = mark ? `${file}:${mark.line + 1}:${mark.column + 1}` : file;
    throw new UsersFileError(file, [{ where, message: `is not valid YAML: ${reason}.` }]);
  }
}

/**
 * Parses and validates the text of a users file. Throws a UsersFileError that lists
 * every problem in the file, each with the file, the entry and the field.
 */
export function parseUsersFile(source: string, file: string): UserRecord[] {
  const document = loadYaml(source, file);
  const example = 'e.g.\n      - username: jane\n        hashed_password: "$2b$12$..."\n        api_key: "..."';
  if (!Array.isArray(document)) {
    const message =
      document === null || document === undefined
        ? `is empty: list the users, ${example}`
        : `must be a list of users at the top level, ${example}`;
    throw new UsersFileError(file, [{ where: file, message }]);
  }
  if (document.length === 0) {
    throw new UsersFileError(file, [{ where: file, message: `lists no users, so nobody could log in: add at least one, ${example}` }]);
  }

  const problems: Problem[] = [];
  const records: UserRecord[] = [];
  const identities: EntryIdentity[] = [];
  document.forEach((entry: unknown, index) => {
    const isMapping = typeof entry === 'object' && entry !== null && !Array.isArray(entry);
    const fields = isMapping ? (entry as { username?: unknown; api_key?: unknown }) : {};
    identities.push({ index, username: fields.username, apiKey: fields.api_key });
    const where = entryLabel(file, index, fields.username);
    if (!isMapping) {
      problems.push({ where, message: 'must be a mapping of fields (username, hashed_password, api_key, ...), not a single value or a list.', entry: index });
      return;
    }
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      problems.push(...schemaProblems(parsed.error.issues, where, index));
      return;
    }
    if (parsed.data.full_name != null && parsed.data.fullname != null) {
      problems.push({ where: `${where}, field "fullname"`, message: 'is given beside "full_name": keep one of the two.', entry: index });
      return;
    }
    records.push(toRecord(parsed.data));
  });
  problems.push(...crossEntryProblems(identities, file));

  if (problems.length > 0) throw new UsersFileError(file, problems);
  return records;
}

export function isMissingFileError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** A read failure other than a missing file (which callers decide on) as a UsersFileError that says what to check. */
function unreadable(error: unknown, file: string): unknown {
  if (isMissingFileError(error) || error instanceof UsersFileError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code ?? String(error);
  return new UsersFileError(file, [
    { where: file, message: `cannot be read (${code}): it must be a YAML file that this process may read.` },
  ]);
}

/** The text of a users file, at start-up. A missing file is an ENOENT error, for the caller to decide on. */
export function readUsersFileTextSync(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw unreadable(error, file);
  }
}

/** The text of a users file, without blocking, for reloads. */
export function readUsersFileText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((error: unknown) => {
    throw unreadable(error, file);
  });
}

export const MISSING_FILE = 'missing';

/** What the file system says of the file (inode, size, modification time), or MISSING_FILE: it changes when the file does. */
export async function usersFileFingerprint(file: string): Promise<string> {
  try {
    const { ino, size, mtimeMs } = await stat(file);
    return `${ino}:${size}:${mtimeMs}`;
  } catch (error) {
    return isMissingFileError(error) ? MISSING_FILE : `unreadable:${String((error as NodeJS.ErrnoException).code)}`;
  }
}

/** Reads and validates a users file, at start-up. */
export function readUsersFileSync(file: string): UserRecord[] {
  return parseUsersFile(readUsersFileTextSync(file), file);
}

/** Reads and validates a users file without blocking. */
export async function readUsersFile(file: string): Promise<UserRecord[]> {
  return parseUsersFile(await readUsersFileText(file), file);
}
