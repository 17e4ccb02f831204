import { describeAccess } from './add-user';
import type { Command } from './command';
import { sameUser } from './user-records';
import { usageError } from './io';
import { parseWorkspaces } from './user-args';
import { APPLIED, editUser, findUser } from './user-edits';

const sameList = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((item, index) => item === b[index]));

export const setWorkspacesCommand: Command = {
  name: 'set-workspaces',
  synopsis: 'set-workspaces USERNAME (WORKSPACES | --superuser) [--file F]',
  summary: 'set the team workspaces a user may access: a,b (comma-separated), "" for their own only, or --superuser for every workspace',
  details:
    '  WORKSPACES replaces the list: `set-workspaces jane client_projects,team-b`; `set-workspaces jane ""` leaves\n' +
    '  her own workspace only (workspaces: []). --superuser removes the workspaces field: access to every workspace.\n',
  positionals: { min: 1, max: 2 },
  options: { superuser: 'boolean', file: 'string' },
  async run(args, io) {
    const superuser = args.flags.has('superuser');
    const given = args.positionals[1];
    if (superuser === (given !== undefined)) {
      throw usageError(
        `set-workspaces: give either the workspaces (a,b, or "" for the user's own only) or --superuser, ${superuser ? 'not both' : 'one of them'}.\n` +
          `Usage: express-workspace-auth ${this.synopsis}`,
      );
    }
    const workspaces = superuser ? null : parseWorkspaces(given ?? '', 'set-workspaces');
    const { username, file, changed } = await editUser(this.name, args, io, async (context, name) => {
      const { before, entry } = findUser(context, name);
      if (before.user.superuser === superuser && sameList(before.user.workspaces, workspaces)) return null;
      const edit = workspaces === null ? context.yaml.removeField(entry, 'workspaces') : context.yaml.setField(entry, 'workspaces', workspaces);
      if (edit === null) return null;
      const intended = { ...before, user: { ...before.user, workspaces, superuser } };
      return { username: name, edits: [edit], isAsIntended: (after) => sameUser(after, intended) };
    });
    const access = describeAccess(workspaces);
    io.stdout(changed ? `${username} now has ${access} in ${file}. ${APPLIED}.\n` : `${username} already has ${access} in ${file}; nothing changed.\n`);
    return 0;
  },
};
