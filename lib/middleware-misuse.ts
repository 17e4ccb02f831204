import { ConfigError } from './errors';

/** What Express passes a middleware first: an http.IncomingMessage (or a look-alike in tests). */
function looksLikeRequest(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { method, url, headers } = value as { method?: unknown; url?: unknown; headers?: unknown };
  return typeof method === 'string' && typeof url === 'string' && typeof headers === 'object' && headers !== null;
}

/**
 * Catches a factory handed to Express instead of the middleware it makes: `app.use(factory)`
 * for `app.use(factory())`. Express then calls the factory with (req, res, next) on every
 * request. Returns false for an ordinary call. Otherwise hands the advice to `next`, so it
 * reaches the app's error handler (and its logs), and returns true: the caller returns at once.
 *
 * Why not throw when the route is set up: `app.use(factory)` only stores the function, so
 * none of our code runs until the first request; that request is the earliest we can tell.
 */
export function reportMiddlewareMisuse(
  args: ArrayLike<unknown>,
  misuse: { factory: string; written: string; intended: string; advice: string },
): boolean {
  if (!looksLikeRequest(args[0])) return false;
  const error = new ConfigError([
    {
      where: misuse.factory,
      message: `It appears you have done \`${misuse.written}\`, but it should be \`${misuse.intended}\`. ${misuse.advice}`,
    },
  ]);
  const next = args[2];
  if (typeof next !== 'function') throw error;
  (next as (error: unknown) => void)(error);
  return true;
}
