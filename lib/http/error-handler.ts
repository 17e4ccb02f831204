import type { ErrorRequestHandler, Request } from 'express';
import type { Refuse } from '../refusals';
import type { OwnErrors } from './own-errors';

/**
 * body-parser's errors about the request itself, by their `type` (what its README documents).
 * `entity.too.large` is answered as 413, the others as 400.
 */
const BODY_ERROR_TYPES = new Set([
  'encoding.unsupported',
  'charset.unsupported',
  'entity.parse.failed',
  'entity.verify.failed',
  'entity.too.large',
  'parameters.too.many',
  'request.aborted',
  'request.size.invalid',
  'stream.encoding.set',
  'stream.not.readable',
]);

/** Express (4 and 5) answers a malformed %-escape in a path with a URIError of status 400. */
function isMalformedUrl(error: unknown): boolean {
  return error instanceof URIError && (error as { status?: unknown }).status === 400;
}

function bodyErrorType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && BODY_ERROR_TYPES.has(type) ? type : undefined;
}

/**
 * Answers the errors of the plugin's own routes and middleware, through the same refusal path
 * as every other refusal: an unreadable or too large login body (its own parsers' errors, not
 * the app's), and a malformed URL from a caller of the plugin (`isOurCaller`: a request it
 * authenticated, or one that carries its valid credentials; Express raises that error while
 * matching the route, before any guard of the route runs). Every other error, the app's own
 * body parsers', 404s, 409s and 422s included, passes on untouched to the app's error handlers.
 */
export function createErrorHandler(refuse: Refuse, ownErrors: OwnErrors, isOurCaller: (req: Request) => boolean | Promise<boolean>): ErrorRequestHandler {
  return function errorHandler(error: unknown, req, res, next) {
    if (res.headersSent) return next(error);
    const type = bodyErrorType(error);
    if (type !== undefined && ownErrors.owns(error)) return refuse(req, res, next, type === 'entity.too.large' ? 'payload_too_large' : 'invalid_request');
    if (!isMalformedUrl(error)) return next(error);
    const answer = (ours: boolean) => (ours ? refuse(req, res, next, 'invalid_request') : next(error));
    const ours = isOurCaller(req);
    if (ours instanceof Promise) ours.then(answer, () => next(error));
    else answer(ours);
  };
}
