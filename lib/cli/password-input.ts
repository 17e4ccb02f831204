import { CliError, usageError, type CliIo } from './io';
import { hiddenLineReader, isTerminal } from './hidden-prompt';

/** bcrypt uses the first 72 bytes of a password and silently ignores the rest. */
const BCRYPT_MAX_PASSWORD_BYTES = 72;
/** More than this on standard input is not a password: stop reading rather than buffer it all. */
const MAX_STDIN_BYTES = 4096;

/** Why a password cannot be used, or undefined. Never repeats the password. */
function passwordProblem(password: string): string | undefined {
  if (password === '') return 'The password is empty.';
  // A line break or tab in a password is almost always a paste or pipe mistake, and no login form sends one.
  if (/\p{Cc}/u.test(password)) {
    return 'The password contains a control character (a line break, tab or other invisible character): use printable characters only.';
  }
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > BCRYPT_MAX_PASSWORD_BYTES) {
    return (
      `The password is ${bytes} bytes long, over bcrypt's limit of ${BCRYPT_MAX_PASSWORD_BYTES}: bcrypt ignores everything past ` +
      `${BCRYPT_MAX_PASSWORD_BYTES} bytes, so the rest would not count. Use at most ${BCRYPT_MAX_PASSWORD_BYTES} bytes ` +
      '(72 ASCII characters; fewer when it has accented or other non-ASCII letters).'
    );
  }
  return undefined;
}

async function readStdin(stdin: CliIo['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) {
      throw new CliError(
        `More than ${MAX_STDIN_BYTES} bytes on standard input: a password is at most ${BCRYPT_MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest). Pipe the password alone.`,
      );
    }
    chunks.push(buffer);
  }
  return decodePassword(Buffer.concat(chunks));
}

/**
 * Standard input as UTF-8 text, refused when it is not: decoded leniently, `p\xe9\xe9w` (Latin-1)
 * and `p\xff\xfew` would both become `p\uFFFD\uFFFDw`, one password for both. A leading
 * byte-order mark (PowerShell and Notepad write one) is an encoding mark, not part of the
 * password: it is dropped, as every UTF-8 decoder does (TextDecoder's default).
 */
function decodePassword(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(NOT_UTF8);
  }
}

export const NOT_UTF8 =
  'The password is not valid UTF-8 text (a terminal or file in another encoding, such as Latin-1?). ' +
  'Login forms send UTF-8: give the password as UTF-8 (e.g. convert a file with `iconv -f latin1 -t utf-8`). Nothing was changed.';

async function promptTwice(io: CliIo, terminal: Parameters<typeof hiddenLineReader>[0]): Promise<string> {
  const reader = hiddenLineReader(terminal, io, NOT_UTF8);
  try {
    const password = await reader.read('Password (not shown): ');
    const problem = passwordProblem(password);
    if (problem) throw new CliError(`${problem} Nothing was changed.`);
    // A typo in a password nobody sees would lock the user out: ask twice, as passwd and htpasswd do.
    if ((await reader.read('Repeat the password: ')) !== password) {
      throw new CliError('The two passwords differ; nothing was changed. Run the command again.');
    }
    return password;
  } finally {
    reader.close();
  }
}

/**
 * The password for a command (`commandLine` is how to run it, e.g. `add-user jane`, for the
 * advice): typed at a no-echo prompt when standard input is a terminal, else read from
 * standard input with one trailing line break (what `echo` adds) dropped.
 */
export async function readPassword(commandLine: string, io: CliIo): Promise<string> {
  const command = commandLine.split(' ')[0];
  if (isTerminal(io.stdin)) return promptTwice(io, io.stdin);
  const password = (await readStdin(io.stdin)).replace(/\r?\n$/, '');
  if (password === '') {
    throw usageError(`${command}: no password on standard input. Try: printf %s "my-password" | express-workspace-auth ${commandLine}`);
  }
  const problem = passwordProblem(password);
  if (problem) throw new CliError(`${command}: ${problem}`);
  return password;
}
