import type { RevocationList } from '../types';

export type { RevocationList };

// Below this many entries the list is never swept: a sweep would cost more than the memory it frees.
const MIN_SWEEP_SIZE = 1024;

/**
 * Logged-out tokens in this process's memory. An entry lives until its token's `exp`: it is
 * swept when the list has doubled since the last sweep, so a logout costs O(1) amortised,
 * the list holds at most twice the tokens still alive (or 1024), and no timer keeps the
 * process alive. Entries are not in expiry order (an old token can be logged out after a new
 * one), so a sweep looks at every entry rather than stopping at the first live one.
 */
export class MemoryRevocationList implements RevocationList {
  private readonly expiries = new Map<string, number>();
  private sweepAt = MIN_SWEEP_SIZE;

  /** The number of entries kept, expired ones not yet swept included. */
  get size(): number {
    return this.expiries.size;
  }

  revoke(tokenId: string, expiresAtSeconds: number): Promise<void> {
    this.revokeNow(tokenId, expiresAtSeconds);
    return Promise.resolve();
  }

  /** `revoke`, done by the time it returns. */
  revokeNow(tokenId: string, expiresAtSeconds: number): void {
    if (expiresAtSeconds * 1000 <= Date.now()) return;
    this.expiries.set(tokenId, expiresAtSeconds);
    if (this.expiries.size >= this.sweepAt) this.sweep();
  }

  isRevoked(tokenId: string): boolean {
    // An entry past its exp answers true until swept: its token is refused as expired anyway.
    return this.expiries.has(tokenId);
  }

  private sweep(): void {
    const nowSeconds = Date.now() / 1000;
    for (const [tokenId, expiresAtSeconds] of this.expiries) {
      if (expiresAtSeconds <= nowSeconds) this.expiries.delete(tokenId);
    }
    this.sweepAt = Math.max(MIN_SWEEP_SIZE, this.expiries.size * 2);
  }
}
