import { parseCommandArgs } from './args';
import { checkCommand } from './check';
import type { Command } from './command';
import { CliError, type CliIo } from './io';
import { listCommand } from './list-command';
import { genApiKeyCommand, genSecretCommand, hashPasswordCommand } from './secrets';
import { userCommands } from './user-commands';

const COMMANDS: readonly Command[] = [
  hashPasswordCommand,
  checkCommand,
  genApiKeyCommand,
  genSecretCommand,
  ...userCommands,
  listCommand,
];

function usage(): string {
  // The synopsis on a line of its own: add-user's alone is 90 characters wide.
  const lines = COMMANDS.map((command) => `  ${command.synopsis}\n      ${command.summary}`);
  return (
    'Usage: express-workspace-auth <command>\n\nCommands:\n' +
    `${lines.join('\n')}\n\n` +
    'Commands that edit a users file take --file F; without it they edit the file the server reads\n' +
    '(ARGILLA_LOCAL_AUTH_USERS_DB_FILE or RUBRIX_LOCAL_AUTH_USERS_DB_FILE, else .users.yml in the working directory).\n'
  );
}

/** Runs one command; resolves with the exit code. Never throws and never shows a stack trace. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`Unknown command "${name.replace(/\p{Cc}/gu, '?')}".\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(parseCommandArgs(command.name, command, rest), io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`${error.message}\n`);
      return error.exitCode;
    }
    // A failure this code did not foresee: its message only, a stack trace helps nobody here.
    io.stderr(`express-workspace-auth ${command.name}: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}
