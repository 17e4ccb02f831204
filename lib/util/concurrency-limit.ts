/**
 * Runs at most `max` async jobs at once; the rest wait in order.
 * Native bcrypt hashes on libuv's thread pool (4 threads): on a 2-core machine a login
 * storm would take every core and starve the event loop that serves API-key requests.
 */
export function createConcurrencyLimit(max: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = (): void => {
    running -= 1;
    const next = waiting.shift();
    if (next) next();
  };

  return async function limited<T>(job: () => Promise<T>): Promise<T> {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await job();
    } finally {
      release();
    }
  };
}
