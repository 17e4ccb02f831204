import { readFileSync } from 'node:fs';
import path from 'node:path';
import { closestName } from '../util/did-you-mean';
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

const FILE_RESOLUTION =
  'without it, the file the server reads: ARGILLA_LOCAL_AUTH_USERS_DB_FILE\n' +
  '  (or RUBRIX_LOCAL_AUTH_USERS_DB_FILE), else .users.yml in the working directory.\n';

const EXIT_CODES = 'Exit codes: 0 done, 1 refused (nothing was changed), 2 usage error, 130 interrupted (Ctrl-C).\n';

function usage(): string {
  // The synopsis on a line of its own: add-user's alone is 90 characters wide.
  const lines = COMMANDS.map((command) => `  ${command.synopsis}\n      ${command.summary}`);
  return (
    'Usage: express-workspace-auth <command> [options]   (express-workspace-auth <command> --help for one command)\n' +
    '       express-workspace-auth --help | --version\n\nCommands:\n' +
    `${lines.join('\n')}\n\n` +
    `Commands that edit or read a users file take --file F; ${FILE_RESOLUTION}` +
    'Edits are atomic, one at a time (a lock file beside the users file), keep comments and untouched\n' +
    'entries, and refuse any result the server would not load.\n' +
    EXIT_CODES
  );
}

/** What `COMMAND --help` prints: its usage, what it does, its options, and the exit codes. */
function helpOf(command: Command): string {
  const summary = `${command.summary[0]?.toUpperCase() ?? ''}${command.summary.slice(1)}.`;
  const file = Object.hasOwn(command.options, 'file') ? `  --file F: the users file; ${FILE_RESOLUTION}` : '';
  return `Usage: express-workspace-auth ${command.synopsis}\n\n${summary}\n\n${command.details ?? ''}${file}${command.details || file ? '\n' : ''}${EXIT_CODES}`;
}

/** The package's version, from its package.json (two folders up, from lib/cli/ and from dist/cli/ alike). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
  return String(manifest.version);
}

const printable = (text: string) => text.replace(/[\p{Cc}\p{Cf}]/gu, '?');

/** Runs one command; resolves with the exit code. Never throws and never shows a stack trace. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  const lookup = (wanted: string) => COMMANDS.find((candidate) => candidate.name === wanted);
  const unknown = (wanted: string) => {
    const names = COMMANDS.map((candidate) => candidate.name);
    // `rotate` for rotate-key: the start of one command only, else the closest in spelling.
    const started = wanted.length >= 3 ? names.filter((candidate) => candidate.startsWith(wanted)) : [];
    const guess = started.length === 1 ? started[0] : closestName(wanted, names);
    io.stderr(`Unknown command "${printable(wanted)}".${guess ? ` Did you mean "${guess}"?` : ''}\n\n${usage()}`);
    return 2;
  };
  if (name === 'help') {
    const command = lookup(rest[0] ?? '');
    if (!command) return unknown(rest[0] ?? '');
    io.stdout(helpOf(command));
    return 0;
  }
  const command = lookup(name);
  if (!command) return unknown(name);
  try {
    const parsed = parseCommandArgs(command.name, command, rest);
    if (parsed.help) {
      io.stdout(helpOf(command));
      return 0;
    }
    return await command.run(parsed, io);
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
