import type { RequestHandler } from 'express';

/**
 * The errors the plugin's own middleware raised (the login route's body parsers), so that its
 * errorHandler answers those and no one else's: the app's own parsers raise errors of the same
 * kind (body-parser's `entity.parse.failed`), and those belong to the app's error handlers.
 */
export class OwnErrors {
  private readonly raised = new WeakSet<object>();

  /** The same middleware, with every error it passes on remembered as the plugin's. */
  claim(handler: RequestHandler): RequestHandler {
    const raised = this.raised;
    return function claimed(req, res, next) {
      handler(req, res, (error?: unknown) => {
        if (typeof error === 'object' && error !== null) raised.add(error);
        next(error as Parameters<typeof next>[0]);
      });
    };
  }

  owns(error: unknown): boolean {
    return typeof error === 'object' && error !== null && this.raised.has(error);
  }
}
