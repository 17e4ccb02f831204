import type { Response } from 'express';

/**
 * Every refusal the plugin answers, by stable machine-readable code.
 * Clients branch on `code`; `message` is for people and says how to fix the request.
 */
export const REFUSALS = {
  missing_credentials: {
    status: 401,
    message: 'No credentials: send an API key in X-API-Key, or an access token as "Authorization: Bearer <token>".',
  },
  invalid_credentials: {
    status: 401,
    message: 'Wrong username or password.',
  },
  invalid_api_key: {
    status: 401,
    message: 'The API key is not valid. Check the key, or ask the administrator for the current one.',
  },
  invalid_token: {
    status: 401,
    message: 'The access token is invalid, expired, or its user no longer exists: log in again at POST /api/security/token.',
  },
  conflicting_credentials: {
    status: 401,
    message: 'The request carries different API keys in several headers: send one key, in X-API-Key.',
  },
  not_authenticated: {
    status: 401,
    message: 'This route needs an authenticated user: put the plugin\'s authenticate middleware before requireWorkspace.',
  },
  missing_login_fields: {
    status: 400,
    message: 'Send "username" and "password" in the request body, form-encoded or JSON.',
  },
  invalid_login_fields: {
    status: 400,
    message: '"username" and "password" must be strings of at most 1024 characters.',
  },
  user_disabled: {
    status: 403,
    message: 'This user is disabled. Ask the administrator to enable the account.',
  },
  invalid_workspace: {
    status: 400,
    message: 'The workspace name is malformed: use letters, digits, "_" and "-", starting with a letter or digit, and name one workspace only.',
  },
  workspace_forbidden: {
    status: 403,
    message: 'You may not access this workspace. GET /api/me lists the workspaces you may access.',
  },
  too_many_login_attempts: {
    status: 429,
    message: 'Too many failed logins for this username from this client. Wait for the time in Retry-After, then try again.',
  },
  invalid_request: {
    status: 400,
    message: 'The request could not be read: send valid JSON or form-encoded data, and %-escape the URL correctly.',
  },
  payload_too_large: {
    status: 413,
    message: 'The request body is larger than this route accepts: send less (a login needs only "username" and "password", within 16 KB).',
  },
} as const;

export type RefusalCode = keyof typeof REFUSALS;

/** Why a strategy refused: the `info` a verify callback hands to Passport. */
export interface Refusal {
  code: RefusalCode;
  message: string;
}

export function refusal(code: RefusalCode): Refusal {
  return { code, message: REFUSALS[code].message };
}

export function isRefusal(info: unknown): info is Refusal {
  return typeof info === 'object' && info !== null && Object.hasOwn(REFUSALS, (info as { code?: unknown }).code as string);
}

/** The challenge sent with every 401, as RFC 9110 asks. */
export function wwwAuthenticate(realm: string, code: RefusalCode): string {
  const error = code === 'invalid_token' ? ', error="invalid_token"' : '';
  return `Bearer realm="${realm}"${error}`;
}

/** Answers a refusal as `{code, message}` JSON; 401s carry `WWW-Authenticate`. */
export function sendRefusal(res: Response, code: RefusalCode, realm = 'express-workspace-auth'): void {
  const { status, message } = REFUSALS[code];
  if (status === 401) res.set('WWW-Authenticate', wwwAuthenticate(realm, code));
  res.status(status).json({ code, message });
}

/** One problem found in a users file, an option or an environment variable. */
export interface Problem {
  /** Where: `file: entry 2 (user3), field "api_key"`, or the variable's name. */
  where: string;
  /** What is wrong and how to fix it, as a full sentence. */
  message: string;
  /** The index of the users-file entry, so a report reads from top to bottom. */
  entry?: number;
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((problem) => `  - ${problem.where}: ${problem.message}`).join('\n');
}

/** A users file that cannot be used: every problem in it, not just the first. */
export class UsersFileError extends Error {
  override readonly name = 'UsersFileError';
  constructor(
    readonly file: string,
    problems: readonly Problem[],
  ) {
    problems = [...problems].sort((a, b) => (a.entry ?? -1) - (b.entry ?? -1));
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`The users file ${file} has ${count}:\n${formatProblems(problems)}`);
    this.problems = problems;
  }
  readonly problems: readonly Problem[];
}

/** Configuration (environment or options) that cannot be used. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly Problem[]) {
    super(`express-workspace-auth is misconfigured:\n${formatProblems(problems)}`);
  }
}
