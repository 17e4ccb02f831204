/** What a command may touch of the outside world: passed in, so specs run commands in-process. */
export interface CliIo {
  /** A terminal (`isTTY` and `setRawMode`, as `process.stdin` on a TTY) gets a no-echo prompt for passwords. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Where relative paths and the default `.users.yml` are resolved; `process.cwd()` when absent. */
  cwd?: string;
  /** Standard error is a terminal: long edits show their progress there. */
  stderrIsTerminal?: boolean;
}

/** Exit codes: 0 done, 1 refused (nothing changed), 2 a usage error, 130 interrupted (Ctrl-C at a prompt, or SIGINT). */
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
