import { ConfigError } from '../errors';

/** A factory Express was handed in place of the middleware it makes. */
export interface FactoryMisuse {
  factory: string;
  written: string;
  intended: string;
  advice: string;
}

/** What Express passes a middleware first: an http.IncomingMessage (or a look-alike in tests). */
function looksLikeRequest(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { method, url, headers } = value as { method?: unknown; url?: unknown; headers?: unknown };
  return typeof method === 'string' && typeof url === 'string' && typeof headers === 'object' && headers !== null;
}

/**
 * Catches `app.use(factory)` written for `app.use(factory())`, as helmet does: Express then
 * calls the factory with a request as its first argument, and the throw reaches the app's
 * error handler (Express turns a middleware's throw into `next(error)`). The first request is
 * the earliest this can be told: `app.use(factory)` only stores the function.
 */
export function refuseRequestAsArgument(firstArgument: unknown, misuse: FactoryMisuse): void {
  if (!looksLikeRequest(firstArgument)) return;
  throw new ConfigError([
    {
      where: misuse.factory,
      message: `It appears you have done \`${misuse.written}\`, but it should be \`${misuse.intended}\`. ${misuse.advice}`,
    },
  ]);
}
