import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runCli, type CliIo } from '../../../lib/cli';
import { loadUsers } from '../../../lib/users/load';
import { tempDir } from '../../helpers';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Standard input (a pipe, not a terminal). */
  input?: string | Buffer;
  stdin?: CliIo['stdin'];
  env?: CliIo['env'];
  cwd?: string;
}

/** Runs the command line in this process, as the bin would, and collects what it prints. */
export async function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, {
    stdin: options.stdin ?? Readable.from([Buffer.from(options.input ?? '')]),
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: options.env ?? {},
    cwd: options.cwd,
  });
  return { status, stdout, stderr };
}

/** A users file in a temporary folder of its own, so a spec can see every file an edit leaves there. */
export function usersFileInTempDir(name = 'users.yml') {
  const { dir, remove } = tempDir();
  const file = path.join(dir, name);
  return {
    dir,
    file,
    remove,
    write: (text: string | Buffer) => writeFileSync(file, text),
    read: () => readFileSync(file, 'utf8'),
    bytes: () => readFileSync(file),
    /** Every file in the folder but the users file: temporary files an edit failed to clean up. */
    leftovers: () => readdirSync(dir).filter((entry) => entry !== name),
    /** The users as the server loads them. */
    records: () => loadUsers(readFileSync(file, 'utf8'), file).records,
  };
}
