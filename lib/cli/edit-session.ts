import { isDeepStrictEqual } from 'node:util';
import { type Problem, UsersFileError } from '../errors';
import { type LoadedUsers, loadUsers } from '../users/load';
import type { UserRecord } from '../types';
import { writeFileAtomically } from './atomic-write';
import { CliError } from './io';
import { missingUsersFile, readRegularUsersFile, type UsersFileTarget } from './users-file-target';
import { UsersYaml } from './users-yaml';
import { applyTextEdits, type TextEdit } from './yaml-text-edits';

/** The file as it is now, for a command to plan its edit on. */
export interface EditContext {
  file: string;
  records: readonly UserRecord[];
  yaml: UsersYaml;
}

/** What a command wants done to one user, and a check of that user's record afterwards (undefined: gone). */
export interface PlannedEdit {
  username: string;
  edits: readonly TextEdit[];
  isAsIntended: (after: UserRecord | undefined) => boolean;
}

export interface EditOutcome {
  file: string;
  /** True when the file did not exist and add-user created it. */
  created: boolean;
  /** The server's warnings about the file after the edit. */
  warnings: readonly Problem[];
}

const isBlank = (text: string): boolean => text.split('\n').every((line) => /^\s*(#.*)?$/.test(line));

function loadOrExplain(text: string, file: string, when: 'before' | 'after'): LoadedUsers {
  try {
    return loadUsers(text, file);
  } catch (error) {
    if (!(error instanceof UsersFileError)) throw error;
    const advice =
      when === 'before'
        ? 'Nothing was changed. Fix these first (`express-workspace-auth check` lists them), then run the command again.'
        : `Refused: the server would not load the file after this change, so ${file} was left exactly as it was.`;
    throw new CliError(`${error.message}\n${advice}`);
  }
}

/**
 * Whether two records give the same user: the user, hash and key — not whatever else a loader
 * may attach (a line number would differ for every entry after an added line).
 */
export function sameUser(a: UserRecord | undefined, b: UserRecord | undefined): boolean {
  const essence = (record: UserRecord | undefined) => record && { user: record.user, hashedPassword: record.hashedPassword, apiKey: record.apiKey };
  return isDeepStrictEqual(essence(a), essence(b));
}

/** The record a user has in a list of records, looked up without prototype surprises. */
export function recordOf(records: readonly UserRecord[], username: string): UserRecord | undefined {
  return records.find((record) => record.user.username === username);
}

/**
 * One edit of a users file, all or nothing: read (a regular file only), load as the server
 * does, plan, apply as text edits, load the result as the server does, check that exactly
 * the intended user changed as intended, then replace the file atomically. Any refusal
 * leaves the file byte for byte as it was. `plan` returning null means nothing to change.
 */
export async function editUsersFile(
  target: UsersFileTarget,
  options: { mayCreate: boolean },
  plan: (context: EditContext) => Promise<PlannedEdit | null>,
): Promise<EditOutcome | null> {
  const file = target.path;
  const current = await readRegularUsersFile(file);
  if (!current && (target.explicit || !options.mayCreate)) throw missingUsersFile(target, options.mayCreate);
  const text = current?.text ?? '';
  const records = isBlank(text) ? [] : loadOrExplain(text, file, 'before').records;
  const planned = await plan({ file, records, yaml: UsersYaml.parse(text, file) });
  if (!planned) return null;

  const result = applyTextEdits(text, planned.edits);
  const loaded = loadOrExplain(result, file, 'after');
  const after = loaded.records;
  const others = (list: readonly UserRecord[]) => list.filter((record) => record.user.username !== planned.username);
  // Anchors, aliases or merge keys can tie entries together: an edit must not change anyone else.
  const othersBefore = others(records);
  const othersAfter = others(after);
  const othersUnchanged = othersAfter.length === othersBefore.length && othersAfter.every((record, index) => sameUser(record, othersBefore[index]));
  if (!othersUnchanged || !planned.isAsIntended(recordOf(after, planned.username))) {
    throw new CliError(
      `Refused: in ${file} this change would not come out as intended (entries may share values through YAML anchors or merge keys), so the file was left exactly as it was. Edit it by hand.`,
    );
  }
  await writeFileAtomically(current?.realPath ?? file, result, {
    mode: current?.mode ?? 0o600,
    owner: current ? { uid: current.uid, gid: current.gid } : undefined,
    expected: current?.bytes ?? null,
  });
  return { file, created: current === null, warnings: loaded.warnings };
}
