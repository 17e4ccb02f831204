import type { NextFunction, Request, Response } from 'express';
import type passport from 'passport';

/**
 * A user as the application sees it: what the users file says, without secrets.
 * `auth.userOf(req)` returns it for a request the plugin authenticated.
 */
export interface WorkspaceUser {
  username: string;
  email: string | null;
  full_name: string | null;
  disabled: boolean;
  /** The team workspaces the file lists; `null` for a super-user (no `workspaces` field). */
  workspaces: readonly string[] | null;
  /** True when the file gives no `workspaces` field: access to every known workspace. */
  superuser: boolean;
}

/**
 * A user as the users file writes one, for the `users` option: the same fields, checked the same
 * way (a JavaScript app gets every problem at start, as a UsersFileError).
 */
export interface UsersFileEntry {
  /** The login name, `^(?!-|_)[a-z0-9-_]+$`; also the user's own workspace. */
  username: string;
  /** A bcrypt hash (`$2a$`, `$2b$` or `$2y$`), as `hashPassword()` or `htpasswd -nbB` makes it. */
  hashed_password: string;
  /** The secret key for the API, unique across the users. */
  api_key: string;
  email?: string | null;
  full_name?: string | null;
  /** The name Argilla's docs use for `full_name`: give one of the two. */
  fullname?: string | null;
  /** A disabled user is refused on every path. Default: false. */
  disabled?: boolean;
  /** Team workspaces; leave the field out (or null) for a super-user, `[]` for the user's own workspace only. */
  workspaces?: readonly string[] | null;
}

/** A validated users-file entry, secrets included. Never leaves the plugin. */
export interface UserRecord {
  user: WorkspaceUser;
  /** A supported bcrypt hash (`$2a$`, `$2b$` or `$2y$`). */
  hashedPassword: string;
  apiKey: string;
}

/**
 * A Redis client: ioredis, or node-redis 4 or later; `workspaceAuth()` checks which at start.
 * The plugin never connects, quits or configures it.
 */
export interface RedisClient {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Logged-out tokens, by id, until they would have expired anyway. */
export interface RevocationList {
  revoke(tokenId: string, expiresAtSeconds: number): Promise<void>;
  /** May answer synchronously (memory) or not (a shared store). */
  isRevoked(tokenId: string): boolean | Promise<boolean>;
}

/** Why a login failed, for operators (the client is told only "wrong username or password"). */
export type LoginFailureReason = 'unknown_user' | 'wrong_password' | 'user_disabled' | 'invalid_login_fields' | 'missing_login_fields';

/** Something that logs; `console` fits. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A Passport instance: `passport` itself, or `new passport.Passport()`. */
export type Authenticator = InstanceType<typeof passport.Passport>;

/** A Passport strategy, as Passport's own types (`@types/passport`) describe one. */
export type PassportStrategy = passport.Strategy;

/** A refusal as the plugin would answer it: what `onRefusal` receives. */
export interface RefusalAnswer {
  status: number;
  /** Stable and machine-readable: clients branch on it. */
  code: string;
  /** For people: what is wrong and how to fix the request. */
  message: string;
}

/**
 * Answers a refusal in the app's own shape (RFC 9457 problem+json, say). Called after
 * `WWW-Authenticate` and `Retry-After` are set; it must end the response or call `next`.
 */
export type RefusalResponder = (req: Request, res: Response, next: NextFunction, refusal: RefusalAnswer) => void;

/**
 * Limits on failed logins: wrong passwords and unknown usernames, counted per client (its
 * address, as `req.ip` reads it; an IPv6 address by its /56). Refused and shed logins never
 * count, nor does a correct login however many run at once. While a limit holds, the login is
 * refused with 429 and Retry-After without its password being checked, even a correct one:
 * otherwise the limit would tell a guesser which guess was right.
 */
export interface LoginRateLimitOptions {
  /** How long failures are remembered, in milliseconds from the first, whole seconds. Default: 900000 (15 minutes). */
  windowMs?: number;
  /** Consecutive failed logins of one username from one client within the window; a successful login clears them. Default: 10. */
  limit?: number;
  /** Failed logins from one client within the window, across all usernames (password spraying). Default: 100. */
  clientLimit?: number;
}

/** The limit on invalid API keys and access tokens, per client; while it holds, that client's keys and tokens get 429. */
export interface KeyAndTokenRateLimitOptions {
  /** How long failures are remembered, in milliseconds from the first, whole seconds. Default: 900000 (15 minutes). */
  windowMs?: number;
  /** Invalid API keys and access tokens from one client within the window. Default: 100. */
  limit?: number;
}

/** The line of logins waiting for their password check (bcrypt). */
export interface LoginQueueOptions {
  /**
   * The longest a login may take, waiting for its turn and its own check, in milliseconds, as
   * estimated from the time a check takes here; a login that would take longer gets 503
   * `login_busy` with Retry-After at once. Default: 1500.
   */
  maxWaitMs?: number;
  /** The share of the line one client may hold, above 0 and at most 1. Default: 0.5. */
  clientShare?: number;
  /**
   * The share of the line the logins of one account (the username they name, known or not) may
   * hold, above 0 and at most 1, whatever their clients. Default: 0.5.
   */
  accountShare?: number;
}

/** Options of `workspaceAuth()`. Each one left out is read from the environment (`ARGILLA_LOCAL_AUTH_*`, else `RUBRIX_LOCAL_AUTH_*`). */
export interface WorkspaceAuthOptions {
  /** The users file. Default: `<P>_LOCAL_AUTH_USERS_DB_FILE`, else `.users.yml` in `cwd` (which alone may be missing). */
  usersFile?: string;
  /**
   * The users themselves, held in memory instead of a users file: for tests, and for apps that
   * keep users elsewhere. Each has the file's fields, checked exactly as the file's are (every
   * problem at once, as a UsersFileError). Not with `usersFile`; no file is read or watched, and
   * `reload()` rejects: build a new instance for other users. Default: none (the users file).
   */
  users?: readonly UsersFileEntry[];
  /**
   * Key that signs access tokens, at least 32 bytes. Default: `<P>_LOCAL_AUTH_SECRET_KEY`, else
   * a random key per process (with a warning).
   */
  secretKey?: string;
  /**
   * Former signing keys, at least 32 bytes each: tokens they signed still verify until they
   * expire, so a key can be rotated without logging everyone out. New tokens are signed with
   * `secretKey`. Default: `<P>_LOCAL_AUTH_PREVIOUS_SECRET_KEYS` (comma-separated), else none.
   */
  previousSecretKeys?: readonly string[];
  /**
   * Where logged-out tokens are shared with the other instances. Every logout is also kept in
   * this process's memory, which answers alone while the shared list fails. Default: memory only.
   */
  revocationList?: RevocationList;
  /** Access-token lifetime in minutes. Default: `<P>_LOCAL_AUTH_TOKEN_EXPIRATION_IN_MINUTES`, else 30000. */
  tokenExpirationMinutes?: number;
  /** The environment to read. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where relative paths start. Default: `process.cwd()`. */
  cwd?: string;
  /** The Passport instance to register the strategies on. Default: a private one, so the app's own Passport setup is untouched. */
  passport?: Authenticator;
  /** Where the routes are mounted. Default: `/api` (`/api/security/token`, `/api/me`). */
  apiPrefix?: string;
  /**
   * Where `authenticate` puts the user it authenticated, besides `auth.userOf(req)`: the name of
   * a request property, or `false` for `auth.userOf(req)` only. Never where the app's own
   * Passport keeps its user (`req.user`, once the app's `passport.initialize()` or
   * `passport.session()` has run on the request): an API-key or token caller must never make
   * the app's `req.isAuthenticated()` true nor shadow its session user. Never over a value
   * something else put there. Default: `'user'` (Passport's convention, for apps without
   * Passport users of their own).
   */
  userProperty?: string | false;
  /** Reload the users file when it changes. Default: true. */
  watch?: boolean;
  /** How often the users file is checked for changes, in milliseconds. Default: 500. */
  watchIntervalMs?: number;
  /** Limits on failed logins. Default: 10 consecutive per username and client, 100 per client, per 15 minutes. */
  loginRateLimit?: LoginRateLimitOptions;
  /** Where warnings and reload reports go. Default: `console`, prefixed. */
  logger?: Logger;
  /**
   * The realm of `WWW-Authenticate` challenges, and the `aud` of access tokens (so apps that
   * share a signing key but not a realm refuse each other's tokens). Default: `express-workspace-auth`.
   */
  realm?: string;
  /**
   * At most this many bcrypt password checks at once for this instance's logins; the rest wait
   * in line. Default: the number of cores less one (at least 1), a bound shared by every instance
   * that leaves this out, so a burst of logins leaves a core to the requests with API keys and
   * tokens. Above libuv's thread pool (`UV_THREADPOOL_SIZE`, 4 by default) it bounds nothing more.
   */
  maxConcurrentHashes?: number;
  /** Answers every refusal (400, 401, 403, 429, 503) instead of the default `{code, message, detail}` JSON. */
  onRefusal?: RefusalResponder;
  /** Limits on invalid API keys and access tokens. Default: 100 per client per 15 minutes. */
  keyAndTokenRateLimit?: KeyAndTokenRateLimitOptions;
  /** The line of logins waiting for their password check. Default: each login answered within 1.5 seconds, a client holding at most half of the line. */
  loginQueue?: LoginQueueOptions;
  /**
   * A Redis client (ioredis, or node-redis 4+ once connected) shared by every instance: the
   * failure counts live there. The app owns it: the plugin never connects or closes it, and
   * listens to its `error` and `ready` events only to log an outage once and its end once.
   * While Redis is away, each instance counts in its own memory. Default: none, in memory.
   */
  redis?: RedisClient;
  /** Prefix of every Redis key the plugin writes. Default: `"express-workspace-auth:"`. */
  redisKeyPrefix?: string;
}

declare global {
  // Passport declares `Express.User` and `req.user`; the plugin leaves the app's `Express.User` as it is.
  // biome-ignore lint/style/noNamespace: Express declares its request and user types in this global namespace.
  namespace Express {
    interface Request {
      /** The workspace this request works in, set by requireWorkspace. */
      workspace?: string;
      /**
       * Every workspace the user may access, sorted, set by requireWorkspace. Frozen: shared by
       * the requests of one user (a super-user's lists every known workspace); assign a new
       * list rather than changing it.
       */
      workspaces?: readonly string[];
    }
  }
}
