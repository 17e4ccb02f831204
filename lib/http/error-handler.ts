import type { ErrorRequestHandler } from 'express';
import type { Refuse } from '../refusals';

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

function isBodyError(error: unknown): error is { type: string } {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && BODY_ERROR_TYPES.has(type);
}

/**
 * Answers the errors the plugin owns — unreadable or too large bodies, malformed URLs —
 * through the same refusal path as every other refusal. Every other error, the app's own
 * 404s, 409s and 422s included, passes on untouched to the app's error handlers.
 */
export function createErrorHandler(refuse: Refuse): ErrorRequestHandler {
  return function errorHandler(error: unknown, req, res, next) {
    if (res.headersSent || (!isBodyError(error) && !isMalformedUrl(error))) return next(error);
    const tooLarge = isBodyError(error) && error.type === 'entity.too.large';
    refuse(req, res, next, tooLarge ? 'payload_too_large' : 'invalid_request');
  };
}
