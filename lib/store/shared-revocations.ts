import { type FailureReport, STORE_TIMINGS, StoreHealth, type StoreTimings, withinTime } from './health';
import { MemoryRevocationList, type RevocationList } from './revocation-list';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * The list the bearer strategy asks: this process's memory, and the shared store when one is
 * configured. Every logout is written to both; memory answers first, synchronously.
 *
 * The shared store's outages follow its health (health.ts: a Redis's, shared with the failure
 * counters, or one of its own for an app's list): while it fails, tokens keep working and nothing
 * waits on it; memory answers alone, so a logout is refused on the instance that took it (and
 * answered 204) and other tokens are accepted. The logouts the store missed are written to it as
 * soon as it is back (and tried again once per retry meanwhile), not at the next question. An
 * answer other than true or false from the store (a bug in it) counts as revoked: closed, not open.
 */
export function createRevocationList(shared: RevocationList | undefined, reportOrHealth: FailureReport | StoreHealth, timings: StoreTimings = STORE_TIMINGS): RevocationList {
  const local = new MemoryRevocationList();
  if (!shared) return local;

  // Logouts the store missed, by token id, with their exp: written to it when it answers again.
  const missed = new Map<string, number>();
  const health =
    reportOrHealth instanceof StoreHealth
      ? reportOrHealth
      : new StoreHealth(
          reportOrHealth,
          {
            failed: (reason) => `The shared revocation list failed (${reason}): logouts are kept and checked in this instance's memory only, until it answers again.`,
            back: () => `The shared revocation list answers again: logouts are shared again${missed.size > 0 ? `, the ${missed.size} it missed included` : ''}.`,
          },
          timings,
        );
  const writeToStore = (tokenId: string, expiresAtSeconds: number): Promise<void> =>
    withinTime(
      Promise.resolve().then(() => shared.revoke(tokenId, expiresAtSeconds)),
      health.timings.timeoutMs,
    );
  const failed = (error: unknown): false => {
    health.failed(error);
    return false;
  };

  let retryTimer: NodeJS.Timeout | undefined;
  const retryLater = (): void => {
    if (retryTimer || missed.size === 0) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (health.mayAsk()) writeMissed();
      else retryLater();
    }, health.timings.retryMs);
    retryTimer.unref();
  };
  const writeMissed = (): void => {
    for (const [tokenId, expiresAtSeconds] of missed) {
      if (expiresAtSeconds * 1000 <= Date.now()) {
        missed.delete(tokenId);
        continue;
      }
      writeToStore(tokenId, expiresAtSeconds).then(
        () => {
          missed.delete(tokenId);
          health.answered();
        },
        (error: unknown) => {
          failed(error);
          retryLater();
        },
      );
    }
  };
  health.onBack(writeMissed);

  const answered = (revoked: unknown): boolean => {
    health.answered();
    return revoked !== false;
  };

  return {
    async revoke(tokenId, expiresAtSeconds) {
      local.revokeNow(tokenId, expiresAtSeconds);
      if (!health.mayAsk()) {
        missed.set(tokenId, expiresAtSeconds);
        retryLater();
        return;
      }
      try {
        await writeToStore(tokenId, expiresAtSeconds);
        health.answered();
      } catch (error) {
        missed.set(tokenId, expiresAtSeconds);
        failed(error);
        retryLater();
      }
    },
    isRevoked(tokenId) {
      if (local.isRevoked(tokenId)) return true;
      if (!health.mayAsk()) return false;
      let answer: unknown;
      try {
        answer = shared.isRevoked(tokenId);
      } catch (error) {
        return failed(error);
      }
      if (answer === false && !health.isFailing) return false;
      if (!isThenable(answer)) return answered(answer);
      return withinTime(answer, health.timings.timeoutMs).then(answered, failed);
    },
  };
}
