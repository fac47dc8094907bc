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
