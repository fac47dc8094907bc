import type { Redis } from 'ioredis';
import { ProwebError } from '../core/errors.ts';

/**
 * The shared Redis may evict keys when full: BullMQ would lose jobs and the ledger the
 * dossiers it knows are done, which is how a payment gets entered twice.
 */
export class RedisEvictionPolicy extends ProwebError {
  override name = 'RedisEvictionPolicy';
  constructor(readonly policy: string) {
    super(
      `Redis maxmemory-policy is "${policy}": under memory pressure Redis would evict queued dossiers and the ledger's record of dossiers done, and a payment could be entered twice`,
      'Set "maxmemory-policy noeviction" in redis.conf (or run CONFIG SET maxmemory-policy noeviction) on the shared Redis, then start again.',
    );
  }
}

/**
 * Reads the server's eviction policy (from INFO, which managed Redis services allow
 * where CONFIG is often renamed). `undefined` when the server does not say.
 */
export async function evictionPolicyOf(redis: Redis): Promise<string | undefined> {
  const info = await redis.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}

/** Throws {@link RedisEvictionPolicy} unless the server runs with `noeviction`; returns the policy seen. */
export async function assertNoEviction(redis: Redis): Promise<string | undefined> {
  const policy = await evictionPolicyOf(redis);
  if (policy !== undefined && policy !== 'noeviction') throw new RedisEvictionPolicy(policy);
  return policy;
}

/**
 * The shared Redis does not write what it is told to disk soon enough: after a crash it would
 * forget commit claims (a second machine could click a commit whose answer was lost), the
 * ledger's dossiers done and queued dossiers.
 */
export class RedisNotDurable extends ProwebError {
  override name = 'RedisNotDurable';
  constructor(readonly detail: string) {
    super(
      `Redis ${detail}: after a crash it would forget commit claims and dossiers done, and a payment could be entered twice`,
      'Set "appendonly yes" and "appendfsync everysec" (or "always") in redis.conf, or CONFIG SET them on the shared Redis, then start again.',
    );
  }
}

/** How the server persists writes: whether its append-only file is on, and its fsync policy when it says. */
export async function durabilityOf(redis: Redis): Promise<{ aof: boolean | undefined; fsync: string | undefined }> {
  const info = await redis.info('persistence');
  const enabled = /^aof_enabled:(\d)/m.exec(info)?.[1];
  // CONFIG is often renamed on managed services: then only INFO tells, and fsync stays unknown.
  const fsync = await redis.config('GET', 'appendfsync').then((r) => (r as string[])[1], () => undefined);
  return { aof: enabled === undefined ? undefined : enabled === '1', fsync };
}

/**
 * Throws {@link RedisNotDurable} unless the append-only file is on with an fsync every second
 * or every write: the commit claims and the ledger lose at most the last second on a crash.
 */
export async function assertDurable(redis: Redis): Promise<{ aof: boolean | undefined; fsync: string | undefined }> {
  const durability = await durabilityOf(redis);
  if (durability.aof === false) throw new RedisNotDurable('runs without its append-only file (appendonly no)');
  if (durability.fsync === 'no') throw new RedisNotDurable('leaves fsync of its append-only file to the system (appendfsync no)');
  return durability;
}
