import { REDIS_TIMEOUT_MS } from './failure-counter';
import { sendRedisCommand } from './redis-client';
import type { RedisHealth } from './redis-health';

/** The logged-out tokens (the same interface as lib/revocation-list.ts, where the in-memory list is). */
export interface RevocationList {
  revoke(tokenId: string, expiresAtSeconds: number): Promise<void>;
  isRevoked(tokenId: string): boolean | Promise<boolean>;
}

// Expired entries are swept from memory when the list has grown by this many since the last sweep.
const SWEEP_EVERY = 1000;

/**
 * Logged-out tokens in Redis, shared by every instance: a key per token that expires with the
 * token (SET ... PX), looked up with EXISTS. Every logout is also kept in this instance's memory:
 * while Redis is away, this instance still refuses the tokens logged out here, and writes them
 * to Redis when it is back. A logout on another instance is not seen while Redis is away: the
 * price of tokens that keep working through an outage.
 */
export class RedisRevocationList implements RevocationList {
  /** Token id to its expiry, in milliseconds since the epoch. */
  private readonly local = new Map<string, number>();
  private sizeAtLastSweep = 0;

  constructor(
    private readonly health: RedisHealth,
    private readonly keyPrefix: string,
  ) {
    health.onBack(() => this.writeLocalToRedis());
  }

  async revoke(tokenId: string, expiresAtSeconds: number): Promise<void> {
    const expiresAt = expiresAtSeconds * 1000;
    if (expiresAt <= Date.now()) return;
    this.local.set(tokenId, expiresAt);
    this.sweep();
    await this.write(tokenId, expiresAt);
  }

  isRevoked(tokenId: string): boolean | Promise<boolean> {
    const expiresAt = this.local.get(tokenId);
    if (expiresAt !== undefined && expiresAt > Date.now()) return true;
    if (!this.health.usable()) return false;
    return this.command(['EXISTS', this.key(tokenId)]).then(
      (exists) => exists === 1,
      () => false,
    );
  }

  private key(tokenId: string): string {
    return `${this.keyPrefix}revoked:${tokenId}`;
  }

  private async write(tokenId: string, expiresAt: number): Promise<void> {
    const ttlMs = Math.ceil(expiresAt - Date.now());
    if (ttlMs <= 0 || !this.health.usable()) return;
    await this.command(['SET', this.key(tokenId), '1', 'PX', String(ttlMs)]).catch(() => undefined);
  }

  /** A command with a deadline; a failure or a timeout is reported (and logged at most once a minute). */
  private command(args: [string, ...string[]]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), REDIS_TIMEOUT_MS);
    });
    return Promise.race([sendRedisCommand(this.health.client, this.health.kind, args), deadline])
      .catch((error: unknown) => {
        this.health.commandFailed(REDIS_TIMEOUT_MS);
        throw error;
      })
      .finally(() => clearTimeout(timer));
  }

  private writeLocalToRedis(): void {
    this.sweep(true);
    for (const [tokenId, expiresAt] of this.local) void this.write(tokenId, expiresAt);
  }

  private sweep(now = false): void {
    if (!now && this.local.size < this.sizeAtLastSweep + SWEEP_EVERY) return;
    const time = Date.now();
    for (const [tokenId, expiresAt] of this.local) if (expiresAt <= time) this.local.delete(tokenId);
    this.sizeAtLastSweep = this.local.size;
  }
}
