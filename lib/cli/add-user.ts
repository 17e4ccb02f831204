import { hashPassword } from '../auth/passwords';
import { COST_RULE, parseCost } from './args';
import type { Command } from './command';
import { editUsersFile } from './edit-session';
import { recordOf } from './user-records';
import { CliError, usageError } from './io';
import { readPassword } from './password-input';
import { newRandomKey } from './secrets';
import { checkText, checkUsername, parseWorkspaces } from './user-args';
import { resolveUsersFile } from './users-file-target';
import type { FieldValue } from './users-yaml';

const sameList = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((item, index) => item === b[index]));

/** How a user's access reads in a message. */
export function describeAccess(workspaces: readonly string[] | null): string {
  if (workspaces === null) return 'access to every workspace (super-user)';
  if (workspaces.length === 0) return 'access to their own workspace only';
  return `access to their own workspace and ${workspaces.join(', ')}`;
}

export const addUserCommand: Command = {
  name: 'add-user',
  synopsis: 'add-user USERNAME [--workspaces a,b] [--email E] [--full-name N] [--superuser] [--cost N] [--file F]',
  summary: 'add a user (password from standard input or a no-echo prompt); prints their new API key',
  details:
    '  Without --workspaces and --superuser the user gets workspaces: [] (their own workspace only).\n' +
    `  --superuser gives access to every workspace; it cannot be combined with --workspaces. ${COST_RULE}.\n`,
  positionals: { min: 1, max: 1 },
  options: { workspaces: 'string', email: 'string', 'full-name': 'string', superuser: 'boolean', file: 'string', cost: 'string' },
  async run(args, io) {
    const username = checkUsername(args.positionals[0]);
    if (args.flags.has('superuser') && args.strings.workspaces !== undefined) {
      throw usageError('add-user: --superuser gives access to every workspace, so it cannot be combined with --workspaces. Give one of them.');
    }
    // Never a super-user by accident: only --superuser leaves `workspaces` out.
    const workspaces = args.flags.has('superuser') ? null : parseWorkspaces(args.strings.workspaces ?? '');
    const email = checkText('--email', args.strings.email, 254);
    const fullName = checkText('--full-name', args.strings['full-name'], 256, { joiners: true });
    const cost = parseCost(this.name, this, args.strings.cost);
    const target = resolveUsersFile(args.strings.file, io);

    const apiKey = newRandomKey();
    let hash: string | undefined; // asked for once, though the plan is made again if another edit saved meanwhile
    const outcome = await editUsersFile(target, { mayCreate: true, command: `add-user ${username}` }, io, async ({ file, records, yaml }) => {
      if (recordOf(records, username)) {
        throw new CliError(`${username} is already a user in ${file}. Change their password with set-password, their key with rotate-key.`);
      }
      hash ??= await hashPassword(await readPassword(`add-user ${username}`, io), cost);
      const fields: Array<[string, FieldValue]> = [
        ['username', username],
        ['hashed_password', hash],
        ['api_key', apiKey],
      ];
      if (email !== undefined) fields.push(['email', email]);
      if (fullName !== undefined) fields.push(['full_name', fullName]);
      if (workspaces !== null) fields.push(['workspaces', workspaces]);
      return {
        username,
        edits: [yaml.appendEntry(fields)],
        isAsIntended: (after) =>
          after !== undefined &&
          after.hashedPassword === hash &&
          after.apiKey === apiKey &&
          after.user.email === (email ?? null) &&
          after.user.full_name === (fullName ?? null) &&
          after.user.disabled === false &&
          after.user.superuser === (workspaces === null) &&
          sameList(after.user.workspaces, workspaces),
      };
    });
    const created = outcome?.created ? ' (it did not exist: created it with mode 600, and it now replaces the default user)' : '';
    io.stderr(
      `Added ${username} to ${target.path}${created}, with ${describeAccess(workspaces)}. ` +
        'A running server lets them in within 2 seconds. Their API key, shown only now:\n',
    );
    io.stdout(`${apiKey}\n`);
    for (const warning of outcome?.warnings ?? []) io.stderr(`warning: ${warning.where}: ${warning.message}\n`);
    return 0;
  },
};
