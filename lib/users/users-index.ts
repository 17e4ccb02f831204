import crypto from 'node:crypto';
import { bcryptCost } from './hash-format';
import type { UserRecord, WorkspaceUser } from '../types';

/**
 * API keys are indexed by their SHA-256 digest: the lookup compares digests of the
 * presented key, so the time it takes says nothing about how much of a real key matched.
 * The digest is kept as 32 one-byte characters ("binary", i.e. latin1): 48 bytes of heap per key, where
 * base64 takes 64 and hex 80.
 */
export const apiKeyDigest: (apiKey: string) => string =
  typeof crypto.hash === 'function'
    ? (apiKey) => crypto.hash('sha256', apiKey, 'binary')
    : (apiKey) => crypto.createHash('sha256').update(apiKey).digest('binary');

/** The team workspaces of `workspaces: []`, shared by every such user. Frozen: a change would reach them all. */
const NO_TEAMS: readonly string[] = Object.freeze([]);

/**
 * One frozen copy of each distinct team-workspace list, and one string per workspace name,
 * shared by the users who list them. A big file names a few teams many times over: 100,000
 * users with two teams each held 200,000 arrays' worth of copies, ~7 MB of heap.
 */
class SharedWorkspaces {
  /** Every team workspace named in the file, each name once. */
  readonly names = new Map<string, string>();
  /** Only while indexing: by the list's JSON, which no name can make ambiguous. */
  private readonly lists = new Map<string, readonly string[]>();

  share(workspaces: readonly string[]): readonly string[] {
    if (workspaces.length === 0) return NO_TEAMS;
    const key = JSON.stringify(workspaces);
    let shared = this.lists.get(key);
    if (!shared) {
      shared = Object.freeze([...new Set(workspaces)].map((name) => this.intern(name)));
      this.lists.set(key, shared);
    }
    return shared;
  }

  private intern(name: string): string {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    this.names.set(name, name);
    return name;
  }
}

/**
 * The maps of one version of the file, filled one user at a time: at start in one go, at a
 * reload in slices between requests (off-thread-load.ts), with the keys' digests made in the
 * worker. Either way each record is made here, by one literal, so the records of every version
 * have one shape and the request path's inline caches stay as they are across reloads.
 */
export class IndexBuilder {
  readonly byUsername = new Map<string, UserRecord>();
  readonly byApiKey = new Map<string, UserRecord>();
  private readonly shared = new SharedWorkspaces();
  private readonly costs = new Map<number, number>();

  /** Adds one user, as a copy of its own (with the shared team list); `digest` is `apiKeyDigest(apiKey)` when made elsewhere. */
  add(given: UserRecord, digest = apiKeyDigest(given.apiKey)): void {
    const { user } = given;
    this.addUser(user.username, user.email, user.full_name, user.disabled, user.workspaces && this.share(user.workspaces), given.hashedPassword, given.apiKey, digest);
  }

  /**
   * Adds a record made for this index alone (a load's, at start): taken as it is, its team list
   * swapped for the shared copy, where `add` copies it. At 100,000 users the copies were 200,000
   * objects more for the collector to move, and the records' literals have the same shape.
   */
  adopt(record: UserRecord): void {
    const { user } = record;
    if (user.workspaces) user.workspaces = this.share(user.workspaces);
    this.index(record, apiKeyDigest(record.apiKey));
  }

  /** One frozen copy of a team list, shared by every user who names the same teams: what `addUser` takes. */
  share(workspaces: readonly string[]): readonly string[] {
    return this.shared.share(workspaces);
  }

  /** Adds one user from its fields; `workspaces` is a list from `share`, or null for a super-user. */
  addUser(
    username: string,
    email: string | null,
    fullName: string | null,
    disabled: boolean,
    workspaces: readonly string[] | null,
    hashedPassword: string,
    apiKey: string,
    digest: string,
  ): void {
    const record: UserRecord = {
      user: { username, email, full_name: fullName, disabled, workspaces, superuser: workspaces === null },
      hashedPassword,
      apiKey,
    };
    this.index(record, digest);
  }

  private index(record: UserRecord, digest: string): void {
    this.byUsername.set(record.user.username, record);
    this.byApiKey.set(digest, record);
    const cost = bcryptCost(record.hashedPassword);
    this.costs.set(cost, (this.costs.get(cost) ?? 0) + 1);
  }

  /** What the index of the users added is made of. */
  content(): IndexContent {
    const typicalCost = [...this.costs].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 10;
    return { byUsername: this.byUsername, byApiKey: this.byApiKey, teamWorkspaces: this.shared.names, typicalCost, unavailable: false };
  }

  /** The index of the users added, from `source` (a file path or "default user"). */
  build(source: string): UsersIndex {
    return new UsersIndex(this.content(), source);
  }
}

/** What an index is made of: built by IndexBuilder. */
export interface IndexContent {
  byUsername: Map<string, UserRecord>;
  byApiKey: Map<string, UserRecord>;
  teamWorkspaces: ReadonlyMap<string, string>;
  typicalCost: number;
  unavailable: boolean;
}

/**
 * An immutable index of one version of the users file. Maps and Sets, never plain
 * objects, so names such as `constructor` or `__proto__` find nothing they should not.
 * Users' team-workspace lists are frozen and shared (a list is the same for each user
 * who names the same teams), so the index holds its own copies of the records it is given.
 */
export class UsersIndex {
  private readonly byUsername: Map<string, UserRecord>;
  private readonly byApiKey: Map<string, UserRecord>;
  /** Every team workspace the file names; with the usernames, the known workspaces. */
  private readonly teamWorkspaces: ReadonlyMap<string, string>;
  private sortedKnown: readonly string[] | undefined;
  /** The most common bcrypt cost in the file: the cost of the dummy hash for unknown users. */
  readonly typicalCost: number;
  /**
   * True when no users are in force because a users file exists that could not be loaded
   * (yet): the default user has ended and nobody else has begun. Requests get 503
   * `users_unavailable`.
   */
  readonly unavailable: boolean;

  constructor(
    records: readonly UserRecord[] | IndexContent,
    /** Where the users came from, for logs: a file path or "default user". */
    readonly source: string,
  ) {
    let content: IndexContent;
    if (Array.isArray(records)) {
      const builder = new IndexBuilder();
      for (const record of records as readonly UserRecord[]) builder.add(record);
      content = builder.content();
    } else content = records as IndexContent;
    this.byUsername = content.byUsername;
    this.byApiKey = content.byApiKey;
    this.teamWorkspaces = content.teamWorkspaces;
    this.typicalCost = content.typicalCost;
    this.unavailable = content.unavailable;
  }

  /** The index of records made for it alone, a load's: taken without copies (IndexBuilder.adopt). */
  static adopting(records: readonly UserRecord[], source: string): UsersIndex {
    const builder = new IndexBuilder();
    for (const record of records) builder.adopt(record);
    return builder.build(source);
  }

  /** No users at all, from a users file that exists but is not loaded: everyone is refused (503) until it loads. */
  static unavailable(file: string): UsersIndex {
    return new UsersIndex({ byUsername: new Map(), byApiKey: new Map(), teamWorkspaces: new Map(), typicalCost: 10, unavailable: true }, file);
  }

  /**
   * Every workspace the file knows: each username and each team workspace, sorted and frozen
   * (each super-user's request shares it as `req.workspaces`). Made on first read: 100,000
   * users' names take ~0.8 MB and sorting them ~25 ms of CPU, which a file without super-users
   * need not pay.
   */
  get knownWorkspaces(): readonly string[] {
    this.sortedKnown ??= Object.freeze([...new Set([...this.byUsername.keys(), ...this.teamWorkspaces.keys()])].sort());
    return this.sortedKnown;
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
    if (user.superuser) return this.byUsername.has(workspace) || this.teamWorkspaces.has(workspace);
    return workspace === user.username || (user.workspaces ?? []).includes(workspace);
  }

  /** Every workspace the user may access, sorted. */
  workspacesOf(user: WorkspaceUser): string[] {
    if (user.superuser) return [...this.knownWorkspaces];
    return [...new Set([user.username, ...(user.workspaces ?? [])])].sort();
  }
}
