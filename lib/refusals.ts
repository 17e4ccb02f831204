import type { NextFunction, Request, Response } from 'express';
import { LOGIN_BODY_LIMIT, MAX_CREDENTIAL_LENGTH } from './limits';
import { WORKSPACE_CHARACTERS } from './names';
import type { RefusalAnswer, RefusalResponder } from './types';

/**
 * Every refusal the plugin answers at request time, by stable machine-readable code.
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
    message: "This route needs a user authenticated by this plugin: put the plugin's authenticate middleware before requireWorkspace.",
  },
  missing_login_fields: {
    status: 400,
    message: 'Send "username" and "password" in the request body, form-encoded or JSON.',
  },
  invalid_login_fields: {
    status: 400,
    message: `"username" and "password" must be strings of at most ${MAX_CREDENTIAL_LENGTH} characters.`,
  },
  user_disabled: {
    status: 403,
    message: 'This user is disabled. Ask the administrator to enable the account.',
  },
  invalid_workspace: {
    status: 400,
    message: `The workspace name is malformed: ${WORKSPACE_CHARACTERS}, and name one workspace only.`,
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
    message: `The request body is larger than this route accepts: send less (a login needs only "username" and "password", within ${LOGIN_BODY_LIMIT.replace('kb', ' KB')}).`,
  },
  not_an_access_token: {
    status: 400,
    message:
      'This is an API key, not an access token: only access tokens can be logged out. To stop an API key working, give the user a new one (npx express-workspace-auth rotate-key USERNAME).',
  },
  too_many_failed_logins: {
    status: 429,
    message: 'Too many failed logins from this client, across usernames. Wait for the time in Retry-After, then try again.',
  },
  too_many_failed_credentials: {
    status: 429,
    message: 'Too many invalid API keys or access tokens from this client. Wait for the time in Retry-After, then try again with a valid one.',
  },
  login_busy: {
    status: 503,
    message: 'Too many logins are waiting for their password check. Try again after the time in Retry-After.',
  },
  users_unavailable: {
    status: 503,
    message:
      'No users are in force: a users file exists but could not be loaded, so no one can log in or use the API until it is fixed. The server log says what to fix (the file, its owner and mode, or its content); try again after the time in Retry-After.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

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
function wwwAuthenticate(realm: string, code: RefusalCode): string {
  const error = code === 'invalid_token' ? ', error="invalid_token"' : '';
  return `Bearer realm="${realm}"${error}`;
}

/**
 * The plugin's default answer: `{code, message, detail}` JSON. `detail` repeats `message`: it is
 * the field the Argilla and Rubrix clients print (Argilla answers `{"detail": ...}`).
 */
export const sendRefusalJson: RefusalResponder = (_req, res, _next, { status, code, message }) => {
  res.status(status).json({ code, message, detail: message });
};

/** What a refusal may carry beyond its code. */
export interface RefusalDetails {
  /** Sets `Retry-After` (whole seconds, at least 1). */
  retryAfterSeconds?: number;
  /** The workspace refused, for the `refused` event. */
  workspace?: string;
}

/** Refuses a request: the headers the status needs, then the app's responder (or the default JSON). */
export type Refuse = (req: Request, res: Response, next: NextFunction, code: RefusalCode, details?: RefusalDetails) => void;

/** Told of every refusal before it is answered: the plugin's `refused` event. */
export type RefusalObserver = (req: Request, refusal: RefusalAnswer, details: RefusalDetails | undefined) => void;

/** Where a failing refusal answer (an `onRefusal` that throws or rejects) is reported; the plugin's logger fits. */
export interface HookFailureReport {
  error(message: string): void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

export function createRefuse(realm: string, respond: RefusalResponder = sendRefusalJson, observe?: RefusalObserver, report?: HookFailureReport): Refuse {
  return function refuse(req, res, next, code, details) {
    const { status, message } = REFUSALS[code];
    if (status === 401) res.set('WWW-Authenticate', wwwAuthenticate(realm, code));
    if (details?.retryAfterSeconds !== undefined) res.set('Retry-After', String(Math.max(1, Math.ceil(details.retryAfterSeconds))));
    const answer: RefusalAnswer = { status, code, message };
    observe?.(req, answer, details);
    // The app's responder failing is the app's bug, but it must not end the process nor leave the
    // request hanging: reported once, then a 500 from the app's error handler, or, once the
    // answer has begun, the connection ended as Express ends it for any error after the headers.
    const failed = (error: unknown): void => {
      const why = error instanceof Error ? error.message : String(error);
      const then = !res.headersSent ? "the request gets a 500 from the app's error handler" : res.writableEnded ? 'the answer it sent stands' : 'its unfinished answer is cut off';
      report?.error(`onRefusal failed while refusing ${req.method} ${req.originalUrl.split('?', 1)[0]} (${status} ${code}): ${why}; ${then}.`);
      if (!res.headersSent) next(error);
      else if (!res.writableEnded) res.destroy();
    };
    try {
      const result: unknown = respond(req, res, next, answer);
      if (isThenable(result)) result.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  };
}
