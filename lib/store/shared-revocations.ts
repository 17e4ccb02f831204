import { MemoryRevocationList, type RevocationList } from './revocation-list';

/** Where failures of the shared store are reported; the plugin's logger fits. */
export interface FailureReport {
  info(message: string): void;
  error(message: string): void;
}

export interface SharedStoreTimings {
  /** An answer later than this counts as a failure: a Redis client queues commands while disconnected. */
  timeoutMs: number;
  /** While the store fails, memory answers alone, and the store is asked again once per this many milliseconds. */
  retryMs: number;
}

// 500 ms: ample for a busy Redis on the network; a dead store then makes one request wait that long per retryMs, not every request.
const DEFAULT_TIMINGS: SharedStoreTimings = { timeoutMs: 500, retryMs: 1000 };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** The promise's value, or a rejection once `ms` have passed; the timer never keeps the process alive. */
function withinTime<T>(promise: PromiseLike<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The list the bearer strategy asks: this process's memory, and the shared store when one is
 * configured. Every logout is written to both; memory answers first, synchronously.
 *
 * With the shared store failing (an error, or no answer within `timeoutMs`), tokens keep
 * working and nothing waits on it: memory answers alone, so a logout is refused on the instance
 * that took it (and answered 204) and other tokens are accepted; the store is tried again once
 * per `retryMs`, and the logouts it missed are written to it once it answers. The failure is
 * reported once, and its end once, never per request. An answer other than true or false from
 * the store (a bug in it) counts as revoked: closed, not open.
 */
export function createRevocationList(shared: RevocationList | undefined, report: FailureReport, timings: SharedStoreTimings = DEFAULT_TIMINGS): RevocationList {
  const local = new MemoryRevocationList();
  if (!shared) return local;

  let failing = false;
  let nextTryAt = 0;
  // Logouts the store missed, by token id, with their exp: written to it when it answers again.
  const missed = new Map<string, number>();

  const writeToStore = (tokenId: string, expiresAtSeconds: number): Promise<void> =>
    withinTime(
      Promise.resolve().then(() => shared.revoke(tokenId, expiresAtSeconds)),
      timings.timeoutMs,
    );
  const failed = (error: unknown): false => {
    nextTryAt = Date.now() + timings.retryMs;
    if (!failing) {
      failing = true;
      const reason = error instanceof Error ? error.message : String(error);
      report.error(`The shared revocation list failed (${reason}): logouts are kept and checked in this instance's memory only, until it answers again.`);
    }
    return false;
  };
  const answered = (revoked: unknown): boolean => {
    if (failing) {
      failing = false;
      report.info(`The shared revocation list answers again: logouts are shared again${missed.size > 0 ? `, the ${missed.size} it missed included` : ''}.`);
      for (const [tokenId, expiresAtSeconds] of missed) {
        if (expiresAtSeconds * 1000 <= Date.now()) missed.delete(tokenId);
        else writeToStore(tokenId, expiresAtSeconds).then(() => missed.delete(tokenId), failed);
      }
    }
    return revoked !== false;
  };

  return {
    async revoke(tokenId, expiresAtSeconds) {
      local.revokeNow(tokenId, expiresAtSeconds);
      try {
        await writeToStore(tokenId, expiresAtSeconds);
        answered(true);
      } catch (error) {
        missed.set(tokenId, expiresAtSeconds);
        failed(error);
      }
    },
    isRevoked(tokenId) {
      if (local.isRevoked(tokenId)) return true;
      if (failing) {
        if (Date.now() < nextTryAt) return false;
        nextTryAt = Date.now() + timings.retryMs;
      }
      let answer: unknown;
      try {
        answer = shared.isRevoked(tokenId);
      } catch (error) {
        return failed(error);
      }
      if (answer === false && !failing) return false;
      if (!isThenable(answer)) return answered(answer);
      return withinTime(answer, timings.timeoutMs).then(answered, failed);
    },
  };
}
