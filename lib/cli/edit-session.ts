import type { Problem } from '../errors';
import { loadUsersInDetail } from '../users/load';
import type { UserRecord } from '../types';
import { writeFileAtomically } from './atomic-write';
import { lockFile } from './file-lock';
import { CliError, type CliIo } from './io';
import { megabytes, type Progress, progressOf } from './progress';
import { refuseSingleFileMounts } from './mounts';
import { type CurrentFile, missingUsersFile, readRegularUsersFile, realPathOfNew, type UsersFileTarget } from './users-file-target';
import { recordOf, sameUser } from './user-records';
import { type FileState, loadOrExplain, stateOf } from './file-state';
import { type EditableUsersYaml, editableUsersYaml } from './users-yaml-window';
import { loadEditedPlainFile } from './windowed-check';
import { applyTextEdits, type TextEdit } from './yaml-text-edits';

/** The file as it is now, for a command to plan its edit on. */
export interface EditContext {
  file: string;
  records: readonly UserRecord[];
  yaml: EditableUsersYaml;
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

const sameBytes = (a: CurrentFile | null, b: CurrentFile | null) => (a === null ? b === null : b !== null && a.realPath === b.realPath && a.bytes.equals(b.bytes));

/**
 * One edit of a users file, all or nothing: read (a regular file only), load as the server
 * does, plan, apply as text edits, load the result as the server does (a big plain file: the
 * edited entry in its place, windowed-check.ts), check that exactly the intended user changed
 * as intended, then replace the file atomically. Any refusal leaves the file byte for byte as
 * it was. `plan` returning null means nothing to change.
 *
 * Concurrent edits never lose a change: the plan is made first without the lock (it may ask
 * for a password), then under the lock of the file (file-lock.ts) the file is read again,
 * and if another edit saved meanwhile the plan is made again on top of it (`plan` must give
 * the same change when called twice: it asks for a password once). The save compares the
 * file once more before its rename, for editors that take no lock.
 */
export async function editUsersFile(
  target: UsersFileTarget,
  options: { mayCreate: boolean; command: string },
  io: CliIo,
  plan: (context: EditContext) => Promise<PlannedEdit | null>,
): Promise<EditOutcome | null> {
  const file = target.path;
  const read = async () => {
    const current = await readRegularUsersFile(file);
    if (!current && (target.explicit || !options.mayCreate)) throw missingUsersFile(target, options.mayCreate);
    return current;
  };
  const planOn = (state: FileState) => plan({ file, records: state.records, yaml: editableUsersYaml(state.text, file, state.windows) });

  const first = await read();
  if (first) await refuseSingleFileMounts(first.realPath, file);
  const progress = progressOf(io, first?.bytes.length ?? 0);
  const loadAndPlan = async (current: CurrentFile | null) => {
    progress.step(`Reading ${file} (${megabytes(current?.bytes.length ?? 0)}) as the server would…`);
    const state = stateOf(current, file);
    progress.step(`Planning the change in ${file}…`);
    return { state, planned: await planOn(state) };
  };
  try {
    let { state, planned } = await loadAndPlan(first);
    progress.done(); // planning may ask for a password
    if (!planned) return null;

    progress.step(`Waiting for the lock of ${file}…`);
    const lock = await lockFile(first?.realPath ?? (await realPathOfNew(file)), options.command);
    try {
      const now = await read();
      if (!sameBytes(now, first)) {
        ({ state, planned } = await loadAndPlan(now)); // another edit saved meanwhile: on top of it
        if (!planned) return null;
      }
      progress.step(`Checking ${file} after the change, as the server would load it…`);
      return await verifyAndSave(file, state, planned, lock.stillHeld, progress);
    } finally {
      lock.release();
    }
  } finally {
    progress.done();
  }
}

/** Loads the edited text as the server would, checks that exactly the intended user changed as intended, and saves it. */
async function verifyAndSave(
  file: string,
  state: FileState,
  planned: PlannedEdit,
  stillLocked: () => boolean,
  progress: Progress,
): Promise<EditOutcome> {
  const { current, records, windows } = state;
  const edited = applyTextEdits(state.text, planned.edits);
  // A big plain file: the edited entry checked in its place, else (or when that cannot tell) the whole file loaded.
  const windowed = windows && loadEditedPlainFile({ source: state.text, items: windows, entries: state.entries, lookups: state.lookups }, planned.edits, edited, file);
  const loaded = windowed ?? loadOrExplain(() => loadUsersInDetail(edited, file, { detach: false }), file, 'after');
  const after = loaded.entries.map((entry) => entry.record);
  const username = planned.username;
  const others = (list: readonly UserRecord[]) => list.filter((record) => record.user.username !== username);
  // Anchors, aliases or merge keys can tie entries together: an edit must not change anyone else.
  const othersBefore = others(records);
  const othersAfter = others(after);
  const othersUnchanged = othersAfter.length === othersBefore.length && othersAfter.every((record, index) => sameUser(record, othersBefore[index]));
  if (!othersUnchanged || !planned.isAsIntended(recordOf(after, username))) {
    throw new CliError(
      `Refused: in ${file} this change would not come out as intended (entries may share values through YAML anchors or merge keys), so the file was left exactly as it was. Edit it by hand.`,
    );
  }
  progress.step(`Saving ${file}…`);
  await writeFileAtomically(current?.realPath ?? file, state.bom + edited, {
    mode: current?.mode ?? 0o600,
    owner: current ? { uid: current.uid, gid: current.gid } : undefined,
    expected: current?.bytes ?? null,
    stillLocked,
  });
  return { file, created: current === null, warnings: loaded.warnings };
}
