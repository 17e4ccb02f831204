/** What a command may touch of the outside world: passed in, so specs run commands in-process. */
export interface CliIo {
  /** A terminal (`isTTY` and `setRawMode`, as `process.stdin` on a TTY) gets a no-echo prompt for passwords. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Where relative paths and the default `.users.yml` are resolved; `process.cwd()` when absent. */
  cwd?: string;
}

/** Exit codes: 1 a problem with the input or the file, 2 a usage error, 130 cancelled at a prompt (as for SIGINT). */
export type ExitCode = 1 | 2 | 130;

/** A failure the user can act on: its message says what, where and how to fix; no stack trace is shown. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = 1,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError(message, 2);
