import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../lib';

/**
 * Answers a refusal of the datasets API as `{code, message, detail}` JSON, like the plugin's own
 * refusals: clients branch on `code`, people read `message` (what is wrong, how to fix it), and
 * `detail` repeats it for the Argilla and Rubrix clients, which print only that field.
 */
export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ code, message, detail: message });
}

/** A name from the request, quoted for a message and cut short: a refusal never echoes a megabyte. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

/** Express (4 and 5) raises a URIError of status 400 for a malformed %-escape in a path. */
const isMalformedUrl = (error: unknown) => error instanceof URIError && (error as { status?: unknown }).status === 400;

/**
 * The last error handler, after the plugin's `auth.errorHandler` (which answers the errors of
 * its own routes and callers, as JSON 4xx). A malformed %-escape in the path from anyone else
 * is answered here as a JSON 400; anything else that reaches it is a bug of the server: logged
 * here, answered as a bare JSON 500.
 */
export function createFinalErrorHandler(logger: Logger): ErrorRequestHandler {
  return function finalErrorHandler(error: unknown, _req, res, next) {
    if (res.headersSent) return next(error);
    if (isMalformedUrl(error)) return sendError(res, 400, 'invalid_request', 'The URL could not be read: %-escape it correctly.');
    logger.error(`Unexpected error in the example app: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    sendError(res, 500, 'internal_error', 'The server failed to answer this request; the error is in its log.');
  };
}
