/**
 * A user as the application sees it: what the users file says, without secrets.
 * This is `req.user` after the plugin's `authenticate`.
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

/** A validated users-file entry, secrets included. Never leaves the plugin. */
export interface UserRecord {
  user: WorkspaceUser;
  /** A supported bcrypt hash (`$2a$`, `$2b$` or `$2y$`). */
  hashedPassword: string;
  apiKey: string;
}

/** Something that logs; `console` fits. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // Passport types `req.user` as Express.User; ours is a WorkspaceUser.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends WorkspaceUser {}
    interface Request {
      /** The workspace this request works in, set by requireWorkspace. */
      workspace?: string;
      /** Every workspace the user may access, sorted, set by requireWorkspace. */
      workspaces?: string[];
    }
  }
}
