#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { configFromEnv } from './config';
import { ConfigError, UsersFileError } from './errors';
import { hashPassword } from './passwords';
import { isMissingFileError, readUsersFileSync } from './users-file-read';

const USAGE = `Usage: express-workspace-auth <command>

Commands:
  hash-password [--cost N]   read a password from standard input, print its $2b$ bcrypt hash (cost 10-15, default 12)
  check [file]               validate a users file (default: ARGILLA_LOCAL_AUTH_USERS_DB_FILE, else .users.yml); exit 1 on problems
  gen-api-key                print a new random API key
`;

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function hashPasswordCommand(args: string[], io: CliIo): Promise<number> {
  let cost = 12;
  if (args.length > 0) {
    const value = args[0] === '--cost' ? args[1] : undefined;
    cost = Number(value);
    // OWASP asks for at least 10; above 15 a login takes seconds.
    if (args.length !== 2 || !/^\d+$/.test(value ?? '') || cost < 10 || cost > 15) {
      io.stderr('hash-password: the only option is --cost N, with N from 10 to 15 (default 12).\n');
      return 2;
    }
  }
  // One trailing line break is what `echo` or a terminal adds; it is not part of the password.
  const password = (await readAll(io.stdin)).replace(/\r?\n$/, '');
  if (password === '') {
    io.stderr('hash-password: no password on standard input. Try: printf %s "my-password" | express-workspace-auth hash-password\n');
    return 2;
  }
  io.stdout(`${await hashPassword(password, cost)}\n`);
  return 0;
}

function checkCommand(args: string[], io: CliIo): number {
  if (args.length > 1) {
    io.stderr('check: give at most one users file.\n');
    return 2;
  }
  let file: string;
  try {
    file = args[0] ?? configFromEnv(io.env).usersFile.path;
  } catch (error) {
    io.stderr(`${(error as ConfigError).message}\n`);
    return 1;
  }
  try {
    const records = readUsersFileSync(file);
    io.stdout(`${file}: ${records.length} ${records.length === 1 ? 'user' : 'users'}, no problems.\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsersFileError) io.stderr(`${error.message}\n`);
    else if (isMissingFileError(error)) io.stderr(`check: ${file} does not exist.\n`);
    else io.stderr(`check: cannot read ${file}: ${(error as Error).message}\n`);
    return 1;
  }
}

/** Runs one command; returns the exit code. Never throws at the user. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'hash-password':
      return hashPasswordCommand(rest, io);
    case 'check':
      return checkCommand(rest, io);
    case 'gen-api-key':
      if (rest.length > 0) {
        io.stderr('gen-api-key takes no arguments.\n');
        return 2;
      }
      // 32 random bytes: 43 URL-safe characters.
      io.stdout(`${randomBytes(32).toString('base64url')}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      (command === undefined ? io.stderr : io.stdout)(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

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
      process.stderr.write(`express-workspace-auth: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
