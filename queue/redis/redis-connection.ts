import { readFile } from 'node:fs/promises';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { ProwebError } from '../../core/errors.ts';
import { assertSafeRedisTransport, type RedisTransport } from './redis-policy.ts';

/** REDIS_URL (or another Redis address) cannot be used; the message names the value, password masked. */
export class InvalidRedisUrl extends ProwebError {
  override name = 'InvalidRedisUrl';
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(
      `invalid Redis URL ${maskPassword(url)}: ${detail}`,
      'Use redis://[user:password@]host[:port][/db], rediss://... for TLS, unix:/path/to/redis.sock, redis+sentinel://[user:password@]host:port,host:port/master-name[/db] for Sentinel, or redis+cluster://[user:password@]host:port,host:port for a Redis Cluster (rediss+... for TLS); or unset REDIS_URL to use the embedded redis-server.',
    );
  }
}

/**
 * Settings every proweb connection shares. BullMQ workers hold blocking commands
 * and must never give up on them, hence `maxRetriesPerRequest: null`.
 */
const BASE_OPTIONS = { maxRetriesPerRequest: null, enableReadyCheck: true } as const satisfies RedisOptions;

/** A Redis Cluster to reach: the nodes to start from (the others are discovered) and the cluster client's options. */
export interface ClusterTarget {
  cluster: { host: string; port: number }[];
  options: ClusterOptions;
}

/**
 * What a Redis URL names: one server, or a primary found through Sentinel, as ioredis options
 * (what BullMQ takes as `connection`); or a Redis Cluster.
 */
export type RedisTarget = RedisOptions | ClusterTarget;

/** Whether a target is a Redis Cluster (see {@link ClusterTarget}). */
export function isClusterTarget(target: object): target is ClusterTarget {
  return Array.isArray((target as Partial<ClusterTarget>).cluster);
}

/**
 * Options for ioredis/BullMQ from the URL of one server or of a Sentinel-managed primary.
 *
 * Accepts `redis://`, `rediss://` (TLS), with optional `user:password@` and `/db`,
 * `unix:/path/redis.sock` (the form {@link EmbeddedRedis.url} displays) and
 * `redis+sentinel://` (see {@link redisTargetFromUrl}).
 * The result carries `maxRetriesPerRequest: null`, which BullMQ workers need.
 *
 * @throws {@link InvalidRedisUrl} naming the bad value (password masked), and for a cluster URL.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const target = redisTargetFromUrl(url);
  if (isClusterTarget(target)) throw new InvalidRedisUrl(url, 'a Redis Cluster, where one server is expected');
  return target;
}

/**
 * What a Redis URL names, before any connection.
 *
 * - `redis://[user:password@]host[:port][/db]`, `rediss://...` (TLS), `unix:/path/redis.sock`: one server.
 * - `redis+sentinel://[user:password@]host[:port],host[:port]/master-name[/db]` (`rediss+sentinel://`
 *   for TLS to sentinels and servers): the primary the sentinels name, followed through failovers.
 *   The user and password are given to the servers and to the sentinels (set the sentinels the same).
 *   Sentinel's port defaults to 26379.
 * - `redis+cluster://[user:password@]host[:port],host[:port]` (`rediss+cluster://`): a Redis Cluster,
 *   from these nodes (the others are discovered); the deployment's prefix must be a hash tag.
 *
 * @throws {@link InvalidRedisUrl} naming the bad value (password masked).
 */
export function redisTargetFromUrl(url: string): RedisTarget {
  const text = url.trim();
  const multi = /^(rediss?)\+([a-z]+):\/\//i.exec(text);
  if (multi) return multiNodeTarget(url, text, multi[1]!.toLowerCase() === 'rediss', multi[2]!.toLowerCase());
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new InvalidRedisUrl(url, 'not a URL');
  }
  const query = [...parsed.searchParams.keys()];
  // ioredis would silently apply arbitrary query options; refusing them keeps REDIS_URL honest.
  if (query.length > 0) throw new InvalidRedisUrl(url, `query parameters are not supported (${query.join(', ')})`);

  if (parsed.protocol === 'unix:') {
    const path = decodeURIComponent(parsed.pathname);
    if (parsed.host !== '' || !path.startsWith('/') || path === '/') {
      throw new InvalidRedisUrl(url, 'a unix socket URL must be unix:/absolute/path/to/redis.sock');
    }
    return { ...BASE_OPTIONS, path };
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidRedisUrl(url, `unsupported scheme "${parsed.protocol}" (expected redis:, rediss:, unix:, redis+sentinel: or redis+cluster:)`);
  }
  // WHATWG URL keeps brackets around IPv6 literals; sockets want the bare address.
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new InvalidRedisUrl(url, 'no host');

  const options: RedisOptions = { ...BASE_OPTIONS, host, port: parsed.port === '' ? 6379 : Number(parsed.port) };
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  const dbText = parsed.pathname.replace(/^\//, '');
  if (dbText !== '') options.db = databaseNumber(url, dbText);
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

function databaseNumber(url: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidRedisUrl(url, `database "${text}" is not a number`);
  return Number(text);
}

/**
 * `redis+sentinel://` and `redis+cluster://`, parsed by hand: WHATWG URL takes one host and
 * port, and these list several (`h1:26379,h2:26379`).
 */
function multiNodeTarget(url: string, text: string, tls: boolean, kind: string): RedisTarget {
  if (kind !== 'sentinel' && kind !== 'cluster') throw new InvalidRedisUrl(url, `unsupported scheme "${text.slice(0, text.indexOf(':') + 1)}" (expected redis:, rediss:, unix:, redis+sentinel: or redis+cluster:)`);
  const rest = text.slice(text.indexOf('://') + 3);
  if (/[?#]/.test(rest)) throw new InvalidRedisUrl(url, 'query parameters are not supported');
  const at = rest.lastIndexOf('@', rest.includes('/') ? rest.indexOf('/') : rest.length);
  const userinfo = at < 0 ? '' : rest.slice(0, at);
  const afterAuth = at < 0 ? rest : rest.slice(at + 1);
  const slash = afterAuth.indexOf('/');
  const hostList = slash < 0 ? afterAuth : afterAuth.slice(0, slash);
  const path = slash < 0 ? '' : afterAuth.slice(slash + 1);
  const defaultPort = kind === 'sentinel' ? 26379 : 6379;
  const nodes = hostList.split(',').map((item) => nodeAddress(url, item.trim(), defaultPort));
  const colon = userinfo.indexOf(':');
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new InvalidRedisUrl(url, 'bad percent-encoding in the user or password');
    }
  };
  const username = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? '' : decode(userinfo.slice(colon + 1));
  const auth = { ...(username !== '' ? { username } : {}), ...(password !== '' ? { password } : {}) };

  if (kind === 'cluster') {
    // A cluster has one database; a path here is a mistake, not a choice.
    if (path.replace(/\/$/, '') !== '') throw new InvalidRedisUrl(url, 'a Redis Cluster has no database number nor name in its URL');
    return { cluster: nodes, options: { enableReadyCheck: true, redisOptions: { ...BASE_OPTIONS, ...auth, ...(tls ? { tls: {} } : {}) } } };
  }
  const [masterName = '', dbText, ...extra] = path.split('/');
  if (masterName === '') throw new InvalidRedisUrl(url, 'no master name: redis+sentinel://host:26379,host:26379/master-name');
  if (!/^[\w.-]+$/.test(masterName)) throw new InvalidRedisUrl(url, `master name "${masterName}" is not a Sentinel master name`);
  if (extra.length > 0) throw new InvalidRedisUrl(url, 'after the master name, only a database number');
  const options: RedisOptions = {
    ...BASE_OPTIONS,
    sentinels: nodes,
    name: masterName,
    role: 'master',
    // Told by the sentinels of a new primary at once (+switch-master), not at the next error.
    failoverDetector: true,
    ...auth,
    ...(auth.username ? { sentinelUsername: auth.username } : {}),
    ...(auth.password ? { sentinelPassword: auth.password } : {}),
  };
  if (dbText !== undefined && dbText !== '') options.db = databaseNumber(url, dbText);
  if (tls) Object.assign(options, { tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} });
  return options;
}

function nodeAddress(url: string, item: string, defaultPort: number): { host: string; port: number } {
  const match = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(item) ?? /^([^:[\]\s]+)(?::(\d+))?$/.exec(item);
  if (!match) throw new InvalidRedisUrl(url, item === '' ? 'an empty host in the list' : `"${item}" is not host or host:port`);
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!(port >= 1 && port <= 65535)) throw new InvalidRedisUrl(url, `port ${match[2]} is out of range`);
  return { host: match[1]!, port };
}

/**
 * The connections a target makes, as the transport rules see them: each sentinel (asked with
 * the same password and TLS as the servers it names) or cluster node given, or the one server.
 */
export function transportsOf(target: RedisTarget): RedisTransport[] {
  if (isClusterTarget(target)) {
    const r = target.options.redisOptions ?? {};
    return target.cluster.map((n) => ({ host: n.host, password: r.password, tls: r.tls }));
  }
  if (target.sentinels) return target.sentinels.map((s) => ({ host: s.host ?? 'localhost', password: target.sentinelPassword, tls: target.sentinelTLS }));
  return [target];
}

/** The certificate authorities file for `rediss://` (`redisCaFile`) cannot be used; the message names it. */
export class RedisCaFileError extends ProwebError {
  override name = 'RedisCaFileError';
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Redis CA file ${file}: ${detail}`, 'Give in redisCaFile the PEM file (-----BEGIN CERTIFICATE-----) of the authority that signed the Redis server\'s certificate, readable by the user the robot runs as.', options);
  }
}

export interface RedisConnectionPolicy {
  /** PEM certificate authorities for a `rediss://` server (`redisCaFile`); read here, once. */
  caFile?: string | undefined;
  /** Accept a remote Redis without password nor TLS (`allowInsecureRedis`). @defaultValue false */
  allowInsecure?: boolean;
}

/**
 * {@link redisTargetFromUrl}, then the deployment's rules, before any connection is made: a
 * remote Redis (or sentinel, or cluster node) needs a password or TLS unless allowed explicitly,
 * and TLS checks the server's certificate against `caFile` when given (else the system's authorities).
 *
 * @throws {@link InvalidRedisUrl}, {@link InsecureRedis} or {@link RedisCaFileError}.
 */
export async function redisConnectionFor(url: string, policy: RedisConnectionPolicy = {}): Promise<RedisTarget> {
  const target = redisTargetFromUrl(url);
  for (const transport of transportsOf(target)) assertSafeRedisTransport(transport, maskPassword(url), policy.allowInsecure ?? false);
  if (policy.caFile === undefined) return target;
  const tls = isClusterTarget(target) ? target.options.redisOptions?.tls : target.tls;
  if (tls === undefined) {
    throw new RedisCaFileError(policy.caFile, `given, but ${maskPassword(url)} is not a rediss:// URL, so nothing would be encrypted`);
  }
  let ca: string;
  try {
    ca = await readFile(policy.caFile, 'utf8');
  } catch (cause) {
    throw new RedisCaFileError(policy.caFile, `cannot be read (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(ca)) throw new RedisCaFileError(policy.caFile, 'holds no PEM certificate');
  if (isClusterTarget(target)) return { ...target, options: { ...target.options, redisOptions: { ...target.options.redisOptions, tls: { ...tls, ca } } } };
  return { ...target, tls: { ...tls, ca }, ...(target.sentinelTLS ? { sentinelTLS: { ...target.sentinelTLS, ca } } : {}) };
}

/** A URL as it may be shown: its password, if any, replaced by `***`. */
export function redisUrlForDisplay(url: string): string {
  return maskPassword(url);
}

/**
 * A cluster client for a {@link ClusterTarget}: what to hand BullMQ as `connection` (it shares
 * it, and duplicates it for its blocking commands). The caller owns it and quits it last.
 */
export function createCluster(target: ClusterTarget): Cluster {
  return new Cluster(target.cluster, clusterOptions(target.options));
}

/**
 * An ioredis client for proweb: `maxRetriesPerRequest: null` (required by BullMQ workers)
 * and `enableReadyCheck`, on top of `connection` and then `extra`.
 *
 * For a Redis Cluster (a {@link ClusterTarget}, or the cluster client {@link createCluster}
 * made) it is a cluster client, typed as `Redis`: it has the same commands, scripts
 * (`eval`, `defineCommand`) and transactions, for keys of one slot, which every key of a
 * deployment is (its prefix is a hash tag). Only commands without keys (INFO, CONFIG) go to
 * one node of its choosing: see redis-policy.ts for the checks that must ask every primary.
 *
 * The caller owns the client and must `quit()` or `disconnect()` it. Attach an `error`
 * listener if the client may outlive a Redis restart, else ioredis reports on stderr.
 */
export function createRedis(
  connection: RedisTarget | Cluster | { path: string } | { host: string; port: number },
  extra: Partial<RedisOptions> = {},
): Redis {
  if (connection instanceof Cluster) {
    return connection.duplicate(undefined, { redisOptions: { ...connection.options.redisOptions, ...(extra as ClusterOptions['redisOptions']) } }) as unknown as Redis;
  }
  if (isClusterTarget(connection)) {
    const options = clusterOptions(connection.options);
    return new Cluster(connection.cluster, { ...options, redisOptions: { ...options.redisOptions, ...(extra as ClusterOptions['redisOptions']) } }) as unknown as Redis;
  }
  return new Redis({ ...BASE_OPTIONS, ...connection, ...extra });
}

function clusterOptions(options: ClusterOptions): ClusterOptions {
  return { enableReadyCheck: true, ...options, redisOptions: { ...BASE_OPTIONS, ...options.redisOptions } };
}

function maskPassword(url: string): string {
  // Done by hand because the value may not parse as a URL at all.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}
