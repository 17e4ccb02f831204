/**
 * Writes users files for the bench: N users, each with a unique API key and a hash of their
 * own, and a mix of the three workspace kinds the spec knows. Hashing 100,000 passwords would
 * take hours and measure nothing, so only the users the bench logs in as get the real hash;
 * the others get its salt and digest made unique (well-formed, for no password), so nothing
 * is shared between users that a real file would not share.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';

/** Users the bench logs in as or sends the keys of. They are in every file, with the same keys. */
export interface BenchUsers {
  /** `workspaces: [team-…, team-…]`: the common case. */
  team: { username: string; apiKey: string };
  /** No `workspaces` field: may access every known workspace. */
  superuser: { username: string; apiKey: string };
}

const TEAMS = 500;

function username(i: number): string {
  return `user-${String(i).padStart(6, '0')}`;
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `hash` with its 22-character salt replaced by one made of `i`: unique per user, still well-formed. */
function uniqueHash(hash: string, i: number): string {
  let salt = '';
  for (let rest = i; salt.length < 22; rest = Math.floor(rest / 64)) salt = (BCRYPT_ALPHABET[rest % 64] as string) + salt;
  // The last salt character carries 2 bits only: keep the real one, vary the 21 before it.
  return `${hash.slice(0, 7)}${salt.slice(1)}${hash.slice(28)}`;
}

/**
 * The YAML of `count` users (at least 10). Every 10th user is a super-user, a third have
 * `workspaces: []`, the rest two team workspaces out of 500. `variant` changes every
 * user's full name, so rewrites differ while the users and their keys stay the same.
 */
export function usersYaml(count: number, hash: string, keys: readonly string[], variant = 0): string {
  const lines: string[] = [`# bench users file: ${count} users, variant ${variant}`];
  for (let i = 0; i < count; i++) {
    const ownHash = i === 1 || i === 2 ? hash : uniqueHash(hash, i);
    lines.push(`- username: ${username(i)}`, `  hashed_password: "${ownHash}"`, `  api_key: "${keys[i]}"`);
    lines.push(`  full_name: "User ${i} v${variant}"`);
    if (i % 4 === 0) lines.push(`  email: ${username(i)}@example.com`);
    if (i % 10 === 1) continue; // super-user: no workspaces field
    if (i % 3 === 0) lines.push('  workspaces: []');
    else lines.push(`  workspaces: [team-${i % TEAMS}, team-${(i * 7 + 3) % TEAMS}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** Unique keys, made once per size so every rewrite of a file keeps them. */
export function makeKeys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bk-${i}-${randomBytes(12).toString('base64url')}`);
}

/** Which users the load phases use; user 2 has team workspaces, user 1 is a super-user. */
export function benchUsers(keys: readonly string[]): BenchUsers {
  return {
    team: { username: username(2), apiKey: keys[2] as string },
    superuser: { username: username(1), apiKey: keys[1] as string },
  };
}

/** Writes a file the way editors and config tools save it: a temp file, then rename over. */
export function writeAtomically(file: string, content: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}
