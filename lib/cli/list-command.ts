import { UsersFileError } from '../errors';
import type { UserRecord } from '../types';
import { loadUsers } from '../users/load';
import { splitByteOrderMark } from '../users/read-file';
import type { Command } from './command';
import { CliError } from './io';
import { missingUsersFile, readRegularUsersFile, resolveUsersFile } from './users-file-target';

/**
 * One user in `list --json`: stable fields, never a secret (no hash, no key). `workspaces` is the
 * team workspaces the file lists, `null` for a super-user (who may access every workspace).
 */
export interface ListedUser {
  username: string;
  full_name: string | null;
  email: string | null;
  disabled: boolean;
  superuser: boolean;
  workspaces: readonly string[] | null;
}

const listed = ({ user }: UserRecord): ListedUser => ({
  username: user.username,
  full_name: user.full_name,
  email: user.email,
  disabled: user.disabled,
  superuser: user.superuser,
  workspaces: user.workspaces,
});

function table(records: readonly UserRecord[]): string {
  // Every value shown passed the loader's username and workspace patterns: nothing to escape.
  const header = ['USERNAME', 'WORKSPACES', 'DISABLED', 'SUPER-USER'];
  const rows = [
    header,
    ...records.map(({ user }) => [
      user.username,
      user.workspaces === null ? '(every workspace)' : user.workspaces.length === 0 ? '(own only)' : user.workspaces.join(','),
      user.disabled ? 'yes' : 'no',
      user.superuser ? 'yes' : 'no',
    ]),
  ];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows.map((row) => `${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`).join('');
}

export const listCommand: Command = {
  name: 'list',
  synopsis: 'list [--json] [--file F]',
  summary: 'list the users: username, workspaces, disabled, super-user (never a secret)',
  details:
    '  --json: {"file", "users": [{"username", "full_name", "email", "disabled", "superuser", "workspaces"}]},\n' +
    '  where "workspaces" is the team workspaces of the file, null for a super-user. No hash, no key.\n',
  positionals: { min: 0, max: 0 },
  options: { file: 'string', json: 'boolean' },
  async run(args, io) {
    const target = resolveUsersFile(args.strings.file, io);
    const current = await readRegularUsersFile(target.path);
    if (!current) throw missingUsersFile(target, false);
    let records: UserRecord[];
    try {
      records = loadUsers(splitByteOrderMark(current.text).text, target.path).records;
    } catch (error) {
      if (error instanceof UsersFileError) throw new CliError(error.message);
      throw error;
    }
    io.stdout(args.flags.has('json') ? `${JSON.stringify({ file: target.path, users: records.map(listed) }, null, 2)}\n` : table(records));
    return 0;
  },
};
