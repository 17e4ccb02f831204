import { hashPassword } from '../auth/passwords';
import { addUserCommand } from './add-user';
import { COST_RULE, parseCost } from './args';
import type { Command } from './command';
import { readPassword } from './password-input';
import { newRandomKey } from './secrets';
import { setWorkspacesCommand } from './set-workspaces';
import { APPLIED, editUser, findUser, setting } from './user-edits';

const setPasswordCommand: Command = {
  name: 'set-password',
  synopsis: 'set-password USERNAME [--cost N] [--file F]',
  summary: "set a user's password (standard input, or a no-echo prompt); their access tokens stop working",
  details: `  ${COST_RULE}.\n`,
  positionals: { min: 1, max: 1 },
  options: { file: 'string', cost: 'string' },
  async run(args, io) {
    const cost = parseCost(this.name, this, args.strings.cost);
    let hash: string | undefined; // asked for once, though the plan is made again if another edit saved meanwhile
    const { username, file } = await editUser(this.name, args, io, async (context, name) => {
      findUser(context, name); // before asking for a password
      hash ??= await hashPassword(await readPassword(`set-password ${name}`, io), cost);
      const newHash = hash;
      return setting(context, name, 'hashed_password', newHash, (before) => ({ ...before, hashedPassword: newHash }));
    });
    io.stdout(`Set the password of ${username} in ${file}. ${APPLIED}; tokens issued before stop working.\n`);
    return 0;
  },
};

const rotateKeyCommand: Command = {
  name: 'rotate-key',
  synopsis: 'rotate-key USERNAME [--file F]',
  summary: 'give a user a new API key, printed; the old key stops working',
  positionals: { min: 1, max: 1 },
  options: { file: 'string' },
  async run(args, io) {
    const apiKey = newRandomKey();
    const { username, file } = await editUser(this.name, args, io, async (context, name) =>
      setting(context, name, 'api_key', apiKey, (before) => ({ ...before, apiKey })),
    );
    io.stderr(`Gave ${username} a new API key in ${file}. ${APPLIED}, and the old key stops working. The new key, shown only now:\n`);
    io.stdout(`${apiKey}\n`);
    return 0;
  },
};

function disabling(disabled: boolean): Command {
  const name = disabled ? 'disable' : 'enable';
  return {
    name,
    synopsis: `${name} USERNAME [--file F]`,
    summary: disabled ? 'refuse a user on every path (their entry stays)' : 'let a disabled user in again',
    positionals: { min: 1, max: 1 },
    options: { file: 'string' },
    async run(args, io) {
      const { username, file, changed } = await editUser(this.name, args, io, async (context, user) => {
        if (findUser(context, user).before.user.disabled === disabled) return null;
        return setting(context, user, 'disabled', disabled, (before) => ({ ...before, user: { ...before.user, disabled } }));
      });
      const done = disabled ? 'disabled' : 'enabled';
      io.stdout(changed ? `${username} is now ${done} in ${file}. ${APPLIED}.\n` : `${username} is already ${done} in ${file}; nothing changed.\n`);
      return 0;
    },
  };
}

const removeUserCommand: Command = {
  name: 'remove-user',
  synopsis: 'remove-user USERNAME [--file F]',
  summary: "remove a user's entry (comments around it stay)",
  positionals: { min: 1, max: 1 },
  options: { file: 'string' },
  async run(args, io) {
    const { username, file } = await editUser(this.name, args, io, async (context, name) => {
      const { entry } = findUser(context, name);
      return { username: name, edits: [context.yaml.removeEntry(entry)], isAsIntended: (after) => after === undefined };
    });
    io.stdout(`Removed ${username} from ${file}. ${APPLIED}: their key and tokens stop working.\n`);
    return 0;
  },
};

export const userCommands: readonly Command[] = [
  addUserCommand,
  setPasswordCommand,
  rotateKeyCommand,
  disabling(true),
  disabling(false),
  setWorkspacesCommand,
  removeUserCommand,
];
