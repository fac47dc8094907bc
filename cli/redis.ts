import type { Redis } from 'ioredis';
import { loadConfig, type ProwebConfig } from '../core/config.ts';
import { startEmbeddedRedis } from '../queue/embedded-redis.ts';
import { createRedis, redisOptionsFromUrl } from '../queue/redis-connection.ts';
import { assertDurable, assertNoEviction, evictionPolicyOf } from '../queue/redis-policy.ts';
import { ProwebError } from '../core/errors.ts';
import type { Closer } from './closer.ts';

/** The shared Redis did not answer. */
export class RedisUnreachable extends ProwebError {
  override name = 'RedisUnreachable';
  constructor(where: string, timeoutMs: number) {
    super(`Redis at ${where} did not answer within ${timeoutMs / 1000} s`, 'Check REDIS_URL (host, port, password, rediss:// for TLS) and that the server is up and reachable from this machine.');
  }
}

/** Waits for a PING answer; the client keeps retrying underneath, so only a deadline ends the wait. */
async function reachable(client: Redis, where: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([client.ping(), new Promise((_, reject) => (timer = setTimeout(() => reject(new RedisUnreachable(where, timeoutMs)), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface OpenRedisOptions {
  /** Where an embedded redis-server keeps its data. @defaultValue `${config.dataDir}/redis` */
  dataDir?: string;
  /**
   * Refuse a shared Redis that may evict keys or lose its last writes on a crash (commands that queue or run dossiers);
   * read-only commands only warn. @defaultValue true
   */
  requireNoEviction?: boolean;
  /** How long to try reaching a shared Redis before giving up. @defaultValue 15_000 */
  connectTimeoutMs?: number;
  /** Where a warning goes. @defaultValue standard error */
  warn?: (text: string) => void;
}

/** The Redis this command works with: `REDIS_URL` if set, else a private redis-server under the data folder. */
export async function openRedis(config: ProwebConfig, closer: Closer, options: OpenRedisOptions | string = {}): Promise<{ connection: object; client: Redis; where: string }> {
  const opts: OpenRedisOptions = typeof options === 'string' ? { dataDir: options } : options;
  let connection: object;
  let where: string;
  if (config.redisUrl) {
    connection = redisOptionsFromUrl(config.redisUrl);
    where = config.redisUrl.replace(/\/\/[^@/]*@/, '//***@');
  } else {
    const embedded = closer.add('redis-server', await startEmbeddedRedis({ dataDir: opts.dataDir ?? `${config.dataDir}/redis` }), (r) => r.close());
    connection = embedded.connection;
    where = `embedded redis-server (${embedded.url})`;
  }
  const client = closer.add('redis client', createRedis(connection), (c) => c.quit());
  client.on('error', () => undefined);
  if (config.redisUrl) {
    await reachable(client, where, opts.connectTimeoutMs ?? 15_000);
    if (opts.requireNoEviction ?? true) {
      await assertNoEviction(client);
      await assertDurable(client);
    } else {
      const policy = await evictionPolicyOf(client);
      if (policy !== undefined && policy !== 'noeviction') {
        (opts.warn ?? ((t) => void process.stderr.write(t)))(`warning: Redis maxmemory-policy is "${policy}", not noeviction: it may evict queued dossiers and ledger entries.\n`);
      }
    }
  }
  return { connection, client, where };
}

/** The configuration of a command that takes `--redis`, which wins over REDIS_URL and the file. */
export function loadConfigWithRedis(opts: { config?: string; redis?: string }): Promise<ProwebConfig> {
  return loadConfig(opts.config, { ...process.env, ...(opts.redis ? { REDIS_URL: opts.redis } : {}) });
}
