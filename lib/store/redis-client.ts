/**
 * The two Redis clients of the field, told apart by what they have: ioredis (`new Redis(url)`)
 * and node-redis 4 or later (`createClient({ url })`, connected with `await client.connect()`).
 * The plugin sends them only what both understand, through their raw-command method.
 */

import type { RedisClient } from '../types';

export type { RedisClient };

/** What the plugin uses of an ioredis client. */
interface IoRedisLike extends RedisClient {
  status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** What the plugin uses of a node-redis client. */
interface NodeRedisLike extends RedisClient {
  isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
}

export type RedisKind = 'ioredis' | 'node-redis';

/** Which client this is, or why it is none of them. */
export function redisKindOf(client: unknown): RedisKind | { problem: string } {
  if (typeof client !== 'object' || client === null) return { problem: 'it is not an object' };
  const fields = client as Record<string, unknown>;
  const missing = ['on', 'removeListener', 'multi', 'del'].filter((method) => typeof fields[method] !== 'function');
  if (missing.length > 0) return { problem: `it lacks ${missing.join(', ')}` };
  if (typeof fields.status === 'string' && typeof fields.call === 'function' && typeof fields.defineCommand === 'function') return 'ioredis';
  if (typeof fields.isReady === 'boolean' && typeof fields.sendCommand === 'function' && typeof fields.eval === 'function') return 'node-redis';
  return { problem: 'it is neither an ioredis client (status, call, defineCommand) nor a node-redis 4+ client (isReady, sendCommand, eval)' };
}

/** Whether the client can send commands now, without queueing them for a connection to come. */
export function isRedisReady(client: RedisClient, kind: RedisKind): boolean {
  return kind === 'ioredis' ? (client as IoRedisLike).status === 'ready' : (client as NodeRedisLike).isReady === true;
}

/** Sends one command, as both clients can. */
export function sendRedisCommand(client: RedisClient, kind: RedisKind, args: [string, ...string[]]): Promise<unknown> {
  return kind === 'ioredis' ? (client as IoRedisLike).call(...args) : (client as NodeRedisLike).sendCommand(args);
}
