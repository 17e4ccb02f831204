import { sendRedisCommand } from './redis-client';
import type { RedisHealth } from './redis-health';
import type { RevocationList } from './revocation-list';

/**
 * The logged-out tokens in Redis, shared by every instance: a key per token that expires with the
 * token (SET ... PX), looked up with EXISTS. The shared store of shared-revocations.ts, which
 * keeps every logout in memory too, bounds each command's time, answers from memory while Redis
 * fails (by the health shared with the counters) and writes the logouts Redis missed once it is back. A logout on another instance
 * is not seen while Redis is away: the price of tokens that keep working through an outage.
 */
export class RedisRevocationStore implements RevocationList {
  constructor(
    private readonly health: RedisHealth,
    private readonly keyPrefix: string,
  ) {}

  async revoke(tokenId: string, expiresAtSeconds: number): Promise<void> {
    const ttlMs = Math.ceil(expiresAtSeconds * 1000 - Date.now());
    if (ttlMs <= 0) return;
    await this.send(['SET', this.key(tokenId), '1', 'PX', String(ttlMs)]);
  }

  async isRevoked(tokenId: string): Promise<boolean> {
    return (await this.send(['EXISTS', this.key(tokenId)])) === 1;
  }

  private key(tokenId: string): string {
    return `${this.keyPrefix}revoked:${tokenId}`;
  }

  /** A command; the revocation list asks the health first, so none waits in the client's offline queue. */
  private send(args: [string, ...string[]]): Promise<unknown> {
    return sendRedisCommand(this.health.client, this.health.kind, args);
  }
}
