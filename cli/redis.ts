import type { Redis } from 'ioredis';
import { loadConfig, type ProwebConfig } from '../core/config.ts';
import { startEmbeddedRedis } from '../queue/redis/embedded-redis.ts';
import { createCluster, createRedis, isClusterTarget, redisConnectionFor, redisUrlForDisplay, transportsOf } from '../queue/redis/redis-connection.ts';
import { assertDurable, assertNoEviction, assertNotClusterNode, assertNoUntaggedDeployment, assertPrefixFitsCluster, evictionPolicyOf, sendsPasswordInClear } from '../queue/redis/redis-policy.ts';
import { ConfigError, ProwebError } from '../core/errors.ts';
import type { Closer } from './closer.ts';

/** The shared Redis did not answer. */
export class RedisUnreachable extends ProwebError {
  override name = 'RedisUnreachable';
  constructor(where: string, timeoutMs: number) {
    super(`Redis at ${where} did not answer within ${timeoutMs / 1000} s`, 'Check the URL (REDIS_URL, or the file REDIS_URL_FILE or redisUrlFile names): host, port, password, rediss:// for TLS; and that the server is up and reachable from this machine.');
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
  const warn = opts.warn ?? ((t: string) => void process.stderr.write(t));
  if (config.redisUrl) {
    // Refused here, before any connection: an unprotected remote Redis, a CA file that cannot be used,
    // a cluster with a prefix that would spread a dossier's keys over several slots.
    const target = await redisConnectionFor(config.redisUrl, { caFile: config.redisCaFile, allowInsecure: config.allowInsecureRedis });
    if (isClusterTarget(target)) assertPrefixFitsCluster(config.prefix);
    // A cluster client is shared by every queue of the command: closed last, after them.
    connection = isClusterTarget(target) ? closer.add('redis cluster', createCluster(target), (c) => c.quit()) : target;
    where = redisUrlForDisplay(config.redisUrl);
    if (sendsPasswordInClear(transportsOf(target))) warn(`warning: the Redis password travels in clear to ${where}: use rediss:// (TLS) with redisCaFile.\n`);
  } else {
    const embedded = closer.add('redis-server', await startEmbeddedRedis({ dataDir: opts.dataDir ?? `${config.dataDir}/redis` }), (r) => r.close());
    connection = embedded.connection;
    where = `embedded redis-server (${embedded.url})`;
  }
  const client = closer.add('redis client', createRedis(connection), (c) => c.quit());
  client.on('error', () => undefined);
  if (config.redisUrl) {
    await reachable(client, where, opts.connectTimeoutMs ?? 15_000);
    await assertNotClusterNode(client, where);
    if (opts.requireNoEviction ?? true) {
      await assertNoEviction(client);
      await assertDurable(client);
    } else {
      const policy = await evictionPolicyOf(client);
      if (policy !== undefined && policy !== 'noeviction') {
        warn(`warning: Redis maxmemory-policy is "${policy}", not noeviction: it may evict queued dossiers and ledger entries.\n`);
      }
    }
  }
  await assertNoUntaggedDeployment(client, config.prefix);
  return { connection, client, where };
}

/**
 * `--redis` holds a password: every user of the machine reads command lines (`ps`, /proc), and
 * shells keep them in their history.
 */
export class PasswordOnCommandLine extends ConfigError {
  override name = 'PasswordOnCommandLine';
  constructor(url: string) {
    super(
      `--redis ${redisUrlForDisplay(url)} holds a password: every user of this machine can read a command line (ps, /proc) and the shell keeps it in its history`,
      'Give the URL in REDIS_URL, or in a file only the robot\'s user can read (chmod 600) named by REDIS_URL_FILE or by redisUrlFile in the configuration. --redis is for password-less local URLs.',
    );
  }
}

/** Whether a Redis URL carries a password (`redis://user:pw@…` or `redis://:pw@…`); unparsable text is judged by its shape. */
export function urlHasPassword(url: string): boolean {
  try {
    return new URL(url.trim()).password !== '';
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(url.trim());
  }
}

/**
 * The configuration of a command that takes `--redis`, which wins over REDIS_URL and the files.
 *
 * @throws {@link PasswordOnCommandLine} when `--redis` holds a password.
 */
export function loadConfigWithRedis(opts: { config?: string; redis?: string }): Promise<ProwebConfig> {
  if (opts.redis === undefined) return loadConfig(opts.config);
  if (urlHasPassword(opts.redis)) return Promise.reject(new PasswordOnCommandLine(opts.redis));
  const { REDIS_URL_FILE: _file, ...env } = process.env;
  return loadConfig(opts.config, { ...env, REDIS_URL: opts.redis });
}
