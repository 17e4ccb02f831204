import { UsersFileError } from '../errors';
import type { UserRecord } from '../types';
import { loadUsers } from '../users/load';
import { splitByteOrderMark } from '../users/read-file';
import type { Command } from './command';
import { CliError } from './io';
import { missingUsersFile, readRegularUsersFile, resolveUsersFile } from './users-file-target';

export const listCommand: Command = {
  name: 'list',
  synopsis: 'list [--file F]',
  summary: 'list the users: username, workspaces, disabled, super-user (never a secret)',
  positionals: { min: 0, max: 0 },
  options: { file: 'string' },
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
    for (const row of rows) io.stdout(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
    return 0;
  },
};
