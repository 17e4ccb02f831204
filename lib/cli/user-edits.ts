import type { UserRecord } from '../types';
import type { ParsedArgs } from './args';
import { editUsersFile, type EditContext, type PlannedEdit } from './edit-session';
import { recordOf, sameUser } from './user-records';
import { CliError, type CliIo } from './io';
import { checkUsername } from './user-args';
import { resolveUsersFile } from './users-file-target';
import type { FieldValue } from './users-yaml';

/** What the commands that edit one existing user share: finding them, setting a field, running the edit. */

export const APPLIED = 'A running server applies it within 2 seconds';

/** The user's current record and entry, or a refusal naming the file and how to see who is there. */
export function findUser({ file, records, yaml }: EditContext, username: string) {
  const before = recordOf(records, username);
  if (!before) throw new CliError(`There is no user ${username} in ${file}. \`express-workspace-auth list\` shows who is there.`);
  const entry = yaml.findEntry(username);
  if (!entry) throw new CliError(`The entry of ${username} in ${file} cannot be located for editing (its username comes from an alias or merge key): edit it by hand.`);
  return { before, entry };
}

/** An edit that sets one field, expected to change the user's record only as `change` says. */
export function setting(context: EditContext, username: string, field: string, value: FieldValue, change: (before: UserRecord) => UserRecord): PlannedEdit {
  const { before, entry } = findUser(context, username);
  return {
    username,
    edits: [context.yaml.setField(entry, field, value)],
    isAsIntended: (after) => sameUser(after, change(before)),
  };
}

/** Runs an edit on the user named on the command line, in the file of `--file` or the server's. */
export async function editUser(
  command: string,
  args: ParsedArgs,
  io: CliIo,
  plan: (context: EditContext, username: string) => Promise<PlannedEdit | null>,
) {
  const username = checkUsername(args.positionals[0]);
  const target = resolveUsersFile(args.strings.file, io);
  const outcome = await editUsersFile(target, { mayCreate: false, command: `${command} ${username}` }, io, (context) => plan(context, username));
  for (const warning of outcome?.warnings ?? []) io.stderr(`warning: ${warning.where}: ${warning.message}\n`);
  return { username, file: target.path, changed: outcome !== null };
}

