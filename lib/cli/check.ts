import path from 'node:path';
import { configFromEnv } from '../options/environment';
import { UsersFileError } from '../errors';
import { formatWarnings } from '../users/warnings';
import { isMissingFileError, loadUsersFileSync } from '../users/read-file';
import type { Command } from './command';
import { CliError } from './io';

export const checkCommand: Command = {
  name: 'check',
  synopsis: 'check [file]',
  summary: 'validate a users file (default: ARGILLA_LOCAL_AUTH_USERS_DB_FILE, else .users.yml); exit 1 on problems',
  positionals: { min: 0, max: 1 },
  options: {},
  async run(args, io) {
    const given = args.positionals[0];
    let file = given !== undefined && io.cwd !== undefined ? path.resolve(io.cwd, given) : given;
    if (file === undefined) {
      try {
        file = configFromEnv(io.env, io.cwd).usersFile.path;
      } catch (error) {
        throw new CliError((error as Error).message);
      }
    }
    try {
      const { records, warnings } = loadUsersFileSync(file);
      const users = `${records.length} ${records.length === 1 ? 'user' : 'users'}`;
      io.stdout(`${file}: ${users}, no problems.\n`);
      // Warnings, the same the server logs at start: the file loads, so they do not fail the check.
      if (warnings.length > 0) io.stderr(`${formatWarnings(file, warnings)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof UsersFileError) throw new CliError(error.message);
      if (isMissingFileError(error)) throw new CliError(`check: ${file} does not exist.`);
      throw new CliError(`check: cannot read ${file}: ${(error as Error).message}`);
    }
  },
};
