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

/**
 * The last error handler, after the plugin's `auth.errorHandler` (which answers every error
 * that blames the request, e.g. a malformed %-escape in the path, as a JSON 4xx). What
 * reaches it is a bug of the server: logged here, answered as a bare JSON 500.
 */
export function createFinalErrorHandler(logger: Logger): ErrorRequestHandler {
  return function finalErrorHandler(error: unknown, _req, res, next) {
    if (res.headersSent) return next(error);
    logger.error(`Unexpected error in the example app: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    sendError(res, 500, 'internal_error', 'The server failed to answer this request; the error is in its log.');
  };
}
