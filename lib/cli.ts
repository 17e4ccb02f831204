#!/usr/bin/env node
// The bin (dist/cli.js): the commands live in ./cli/, one module per job.
import { INTERRUPTED_EXIT_CODES, runInterruptCleanups } from './cli/interrupt';
import { runCli } from './cli/main';

export { runCli } from './cli/main';
export type { CliIo } from './cli/io';

if (require.main === module) {
  // Ctrl-C or SIGTERM mid-edit: remove the lock and the temporary file, restore the terminal.
  // The save itself is one rename, so the users file is whole either way.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      runInterruptCleanups();
      process.stderr.write(`\nexpress-workspace-auth: interrupted (${signal}); an edit not yet saved was abandoned, and the users file is whole.\n`);
      process.exit(INTERRUPTED_EXIT_CODES[signal]);
    });
  }
  runCli(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    stderrIsTerminal: process.stderr.isTTY === true,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`express-workspace-auth: ${(error as Error)?.message ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
