import type { ArgsSpec, ParsedArgs } from './args';
import type { CliIo } from './io';

/** One subcommand of the bin: its command line, one line for the usage text, and what it does. */
export interface Command extends ArgsSpec {
  name: string;
  summary: string;
  /** Throws a CliError for anything the user must fix; resolves with the exit code. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
