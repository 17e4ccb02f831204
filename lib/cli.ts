#!/usr/bin/env node
// The bin (dist/cli.js): the commands live in ./cli/, one module per job.
import { runCli } from './cli/main';

export { runCli } from './cli/main';
export type { CliIo } from './cli/io';

if (require.main === module) {
  runCli(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
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
