import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/passwords';
import { COST_RULE, parseCost } from './args';
import type { Command } from './command';
import { readPassword } from './password-input';

/** 32 random bytes as 43 URL-safe characters: 256 bits, and nothing a header, a YAML file or a shell must escape. */
export function newRandomKey(): string {
  return randomBytes(32).toString('base64url');
}

export const hashPasswordCommand: Command = {
  name: 'hash-password',
  synopsis: 'hash-password [--cost N]',
  summary: 'read a password (standard input, or a no-echo prompt on a terminal) and print its $2b$ bcrypt hash',
  details: `  ${COST_RULE}. Passwords are at most 72 bytes: bcrypt ignores everything past 72 bytes.\n`,
  positionals: { min: 0, max: 0 },
  options: { cost: 'string' },
  async run(args, io) {
    const cost = parseCost(this.name, this, args.strings.cost);
    const password = await readPassword('hash-password', io);
    io.stdout(`${await hashPassword(password, cost)}\n`);
    return 0;
  },
};

export const genApiKeyCommand: Command = {
  name: 'gen-api-key',
  synopsis: 'gen-api-key',
  summary: 'print a new random API key (32 random bytes, 43 URL-safe characters)',
  positionals: { min: 0, max: 0 },
  options: {},
  async run(_args, io) {
    io.stdout(`${newRandomKey()}\n`);
    return 0;
  },
};

export const genSecretCommand: Command = {
  name: 'gen-secret',
  synopsis: 'gen-secret',
  summary: 'print a new signing key for ARGILLA_LOCAL_AUTH_SECRET_KEY (32 random bytes, base64url, one line)',
  positionals: { min: 0, max: 0 },
  options: {},
  async run(_args, io) {
    // HS256 wants a key of at least 256 bits (RFC 7518 §3.2): 32 random bytes are exactly that.
    io.stdout(`${newRandomKey()}\n`);
    return 0;
  },
};
