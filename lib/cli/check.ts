import path from 'node:path';
import { ConfigError, type Problem, UsersFileError } from '../errors';
import { configFromEnv } from '../options/environment';
import { isMissingFileError, loadUsersFileSync } from '../users/read-file';
import { formatWarnings } from '../users/warnings';
import type { Command } from './command';
import { CliError, type CliIo } from './io';

/** One problem or warning in `check --json`: where (as the text report says it), what, and the entry (1-based) when one is meant. */
interface ReportedProblem {
  where: string;
  message: string;
  entry?: number;
}

/** What `check --json` prints, whatever the outcome (a usage error aside): stable fields, never a secret. */
interface CheckReport {
  file: string | null;
  valid: boolean;
  /** How many users the file has; null when it does not load. */
  users: number | null;
  problems: ReportedProblem[];
  warnings: ReportedProblem[];
}

const reported = (problems: readonly Problem[]): ReportedProblem[] =>
  problems.map(({ where, message, entry }) => ({ where, message, ...(entry === undefined ? {} : { entry: entry + 1 }) }));

function printJson(io: CliIo, report: CheckReport): number {
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  return report.valid ? 0 : 1;
}

export const checkCommand: Command = {
  name: 'check',
  synopsis: 'check [file] [--json]',
  summary: 'validate a users file (default: ARGILLA_LOCAL_AUTH_USERS_DB_FILE, else .users.yml); exit 1 on problems',
  details:
    '  Prints every problem at once, and the warnings the server would log (a low bcrypt cost...).\n' +
    '  --json: {"file", "valid", "users", "problems": [{"where", "message", "entry"}], "warnings": [...]} on standard\n' +
    '  output, also when the file is refused or missing (exit 1); "entry" counts from 1.\n',
  positionals: { min: 0, max: 1 },
  options: { json: 'boolean' },
  async run(args, io) {
    const json = args.flags.has('json');
    const refuse = (file: string | null, problems: Problem[]): number => {
      if (json) return printJson(io, { file, valid: false, users: null, problems: reported(problems), warnings: [] });
      throw new CliError(problems.map((problem) => (problem.where === file ? `check: ${file} ${problem.message}` : problem.message)).join('\n'));
    };
    const given = args.positionals[0];
    let file = given !== undefined && io.cwd !== undefined ? path.resolve(io.cwd, given) : given;
    if (file === undefined) {
      try {
        file = configFromEnv(io.env, io.cwd).usersFile.path;
      } catch (error) {
        if (error instanceof ConfigError && json) return refuse(null, [...error.problems]);
        throw new CliError((error as Error).message);
      }
    }
    try {
      // Read, checked and forgotten: the copies a server keeps its users in would be work for nothing.
      const { records, warnings } = loadUsersFileSync(file, { detach: false });
      if (json) return printJson(io, { file, valid: true, users: records.length, problems: [], warnings: reported(warnings) });
      const users = `${records.length} ${records.length === 1 ? 'user' : 'users'}`;
      io.stdout(`${file}: ${users}, no problems.\n`);
      // Warnings, the same the server logs at start: the file loads, so they do not fail the check.
      if (warnings.length > 0) io.stderr(`${formatWarnings(file, warnings)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof UsersFileError) {
        if (json) return refuse(file, [...error.problems]);
        throw new CliError(error.message);
      }
      if (isMissingFileError(error)) return refuse(file, [{ where: file, message: 'does not exist.' }]);
      return refuse(file, [{ where: file, message: `cannot be read: ${(error as Error).message}` }]);
    }
  },
};
