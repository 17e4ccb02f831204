import { sha256 } from './digest';
import { bcryptCost } from './bcrypt-format';
import type { UserRecord, WorkspaceUser } from './types';

/**
 * API keys are indexed by their SHA-256 digest: the lookup compares digests of the
 * presented key, so the time it takes says nothing about how much of a real key matched.
 */
const apiKeyDigest = sha256;

/**
 * An immutable index of one version of the users file. Maps and Sets, never plain
 * objects, so names such as `constructor` or `__proto__` find nothing they should not.
 */
export class UsersIndex {
  private readonly byUsername = new Map<string, UserRecord>();
  private readonly byApiKey = new Map<string, UserRecord>();
  private readonly known: ReadonlySet<string>;
  /** Every workspace the file knows: each username and each team workspace, sorted. */
  readonly knownWorkspaces: readonly string[];
  /** The most common bcrypt cost in the file: the cost of the dummy hash for unknown users. */
  readonly typicalCost: number;

  constructor(
    records: readonly UserRecord[],
    /** Where the users came from, for logs: a file path or "default user". */
    readonly source: string,
  ) {
    const known = new Set<string>();
    const costs = new Map<number, number>();
    for (const record of records) {
      this.byUsername.set(record.user.username, record);
      this.byApiKey.set(apiKeyDigest(record.apiKey), record);
      known.add(record.user.username);
      for (const workspace of record.user.workspaces ?? []) known.add(workspace);
      const cost = bcryptCost(record.hashedPassword);
      costs.set(cost, (costs.get(cost) ?? 0) + 1);
    }
    this.known = known;
    this.knownWorkspaces = [...known].sort();
    this.typicalCost = [...costs].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 10;
  }

  get size(): number {
    return this.byUsername.size;
  }

  findByUsername(username: string): UserRecord | undefined {
    return this.byUsername.get(username);
  }

  findByApiKey(apiKey: string): UserRecord | undefined {
    return this.byApiKey.get(apiKeyDigest(apiKey));
  }

  /** Whether the user may work in the workspace (own, listed, or any known one for a super-user). */
  canAccess(user: WorkspaceUser, workspace: string): boolean {
    if (user.superuser) return this.known.has(workspace);
    return workspace === user.username || (user.workspaces ?? []).includes(workspace);
  }

  /** Every workspace the user may access, sorted. */
  workspacesOf(user: WorkspaceUser): string[] {
    if (user.superuser) return [...this.knownWorkspaces];
    return [...new Set([user.username, ...(user.workspaces ?? [])])].sort();
  }
}
