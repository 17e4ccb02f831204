import { Readable } from 'node:stream';
import { runCli, type CliIo } from '../../../lib/cli';

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
