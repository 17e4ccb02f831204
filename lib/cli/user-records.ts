import type { UserRecord, WorkspaceUser } from '../types';

const sameList = (a: readonly string[] | null, b: readonly string[] | null) =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((item, index) => item === b[index]));

/**
 * Whether two records give the same user: the user, hash and key — not whatever else a loader
 * may attach (a line number would differ for every entry after an added line). Field by field:
 * isDeepStrictEqual took a second for the 100,000 users of a big file.
 */
export function sameUser(a: UserRecord | undefined, b: UserRecord | undefined): boolean {
  if (a === b) return true; // the same record: a big file's others, checked without loading them again
  if (a === undefined || b === undefined) return false;
  if (a.hashedPassword !== b.hashedPassword || a.apiKey !== b.apiKey) return false;
  const fields = Object.keys(a.user) as Array<keyof WorkspaceUser>;
  if (fields.length !== Object.keys(b.user).length) return false;
  return fields.every((field) => {
    const [x, y] = [a.user[field], b.user[field]];
    return Array.isArray(x) || Array.isArray(y) ? sameList(x as readonly string[] | null, y as readonly string[] | null) : x === y;
  });
}

/** The record a user has in a list of records, looked up without prototype surprises. */
export function recordOf(records: readonly UserRecord[], username: string): UserRecord | undefined {
  return records.find((record) => record.user.username === username);
}
