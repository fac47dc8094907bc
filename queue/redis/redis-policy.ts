import { Cluster, type Redis } from 'ioredis';
import { isIPv4, isIPv6 } from 'node:net';
import { ProwebError } from '../../core/errors.ts';
import { hashTagOf } from '../../core/redis-keys.ts';

/**
 * The servers whose settings decide what happens to a deployment's keys: the one server, or
 * every primary of a cluster (a command without keys would reach only one of them).
 */
function serversOf(redis: Redis): Redis[] {
  return redis instanceof Cluster ? (redis as Cluster).nodes('master') : [redis];
}

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

/**
 * Throws {@link RedisEvictionPolicy} unless the server (every primary of a cluster) runs with
 * `noeviction`; returns the policy seen.
 */
export async function assertNoEviction(redis: Redis): Promise<string | undefined> {
  let seen: string | undefined;
  for (const server of serversOf(redis)) {
    const policy = await evictionPolicyOf(server);
    if (policy !== undefined && policy !== 'noeviction') throw new RedisEvictionPolicy(policy);
    seen ??= policy;
  }
  return seen;
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
  let seen: { aof: boolean | undefined; fsync: string | undefined } | undefined;
  for (const server of serversOf(redis)) {
    const durability = await durabilityOf(server);
    if (durability.aof === false) throw new RedisNotDurable('runs without its append-only file (appendonly no)');
    if (durability.fsync === 'no') throw new RedisNotDurable('leaves fsync of its append-only file to the system (appendfsync no)');
    seen ??= durability;
  }
  return seen ?? { aof: undefined, fsync: undefined };
}

/**
 * A URL of one server (redis://, redis+sentinel://) leads to a node of a Redis Cluster: every
 * key of another node's slots would be answered MOVED.
 */
export class RedisIsACluster extends ProwebError {
  override name = 'RedisIsACluster';
  constructor(readonly where: string) {
    super(`Redis at ${where} is a node of a Redis Cluster, reached as one server`, 'Give the cluster\'s URL: redis+cluster://[user:password@]host:port,host:port (rediss+cluster:// for TLS), with a hash-tagged prefix such as "{proweb}".');
  }
}

/** Throws {@link RedisIsACluster} when a client of one server is connected to a cluster node. */
export async function assertNotClusterNode(redis: Redis, where: string): Promise<void> {
  if (redis instanceof Cluster) return;
  const info = await redis.info('cluster').catch(() => '');
  if (/^cluster_enabled:1/m.test(info)) throw new RedisIsACluster(where);
}

/**
 * On a Redis Cluster, a prefix without a hash tag spreads a deployment's keys over every slot:
 * BullMQ's and proweb's scripts, which touch several keys at once, would be refused (CROSSSLOT).
 */
export class PrefixNotHashTagged extends ProwebError {
  override name = 'PrefixNotHashTagged';
  constructor(readonly prefix: string) {
    super(
      `prefix "${prefix}" has no hash tag, and Redis is a cluster: a dossier's keys would fall in different slots and its scripts be refused`,
      `Set "prefix": "{${prefix.replace(/[{}]/g, '')}}" (PROWEB_PREFIX), braces included: every key of the deployment then lives in one slot. One deployment (caisse) per hash tag spreads several over the cluster.`,
    );
  }
}

/** Throws {@link PrefixNotHashTagged} for a prefix a cluster cannot hold. */
export function assertPrefixFitsCluster(prefix: string): void {
  if (hashTagOf(prefix) === undefined) throw new PrefixNotHashTagged(prefix);
}

/**
 * The deployment's hash-tagged prefix (`{proweb}`) is new, and the same Redis holds a deployment
 * under its name without braces (`proweb`, the default before): run on, the robots would not see
 * its ledger of dossiers done nor its queued dossiers, and would enter them again.
 */
export class KeysUnderUntaggedPrefix extends ProwebError {
  override name = 'KeysUnderUntaggedPrefix';
  constructor(readonly prefix: string, readonly untagged: string) {
    super(
      `Redis holds a deployment under the prefix "${untagged}" (its ledger, campaigns or machines), and this one uses "${prefix}": it would not see the dossiers already done`,
      `To go on with the same data on this Redis (one server or Sentinel), set "prefix": "${untagged}" (or PROWEB_PREFIX=${untagged}) on every machine. To move to a Redis Cluster, rename the keys "${untagged}:*" to "${prefix}:*" first, the fleet stopped (docs/running-a-fleet.md, "Redis that must not stop").`,
    );
  }
}

/**
 * Throws {@link KeysUnderUntaggedPrefix} when the prefix is `{name}` and this Redis knows a
 * deployment under `name`. Not on a cluster, where such a deployment could not have run.
 */
export async function assertNoUntaggedDeployment(redis: Redis, prefix: string): Promise<void> {
  const tag = hashTagOf(prefix);
  if (tag === undefined || redis instanceof Cluster) return;
  const found = await redis.exists(`${tag}:ledger:entries`, `${tag}:campaigns`, `${tag}:machines`);
  if (found > 0 && (await redis.exists(`${prefix}:ledger:entries`, `${prefix}:campaigns`)) === 0) throw new KeysUnderUntaggedPrefix(prefix, tag);
}

/**
 * A Redis on another machine reached with neither a password nor TLS: whoever reaches it on the
 * network can queue dossiers that the robots type into the back offices, and read queued rows.
 */
export class InsecureRedis extends ProwebError {
  override name = 'InsecureRedis';
  constructor(readonly where: string) {
    super(
      `refusing Redis at ${where}: it is on another machine and reached with neither a password nor TLS, so anyone on the network could queue dossiers the robots enter and read the rows queued`,
      'Set a password on the server (requirepass or an ACL user) and give it in the URL through REDIS_URL or a file (REDIS_URL_FILE, or redisUrlFile in the configuration); better, use rediss:// with redisCaFile. Only on an isolated test network: "allowInsecureRedis": true in the configuration.',
    );
  }
}

/** What {@link assertSafeRedisTransport} looks at: the options `redisOptionsFromUrl` builds. */
export interface RedisTransport {
  host?: string | undefined;
  path?: string | undefined;
  password?: string | undefined;
  tls?: object | undefined;
}

/** `127.0.0.0/8`, `::1`, `::ffff:127.x.x.x` or `localhost`: traffic that never leaves this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (!isIPv6(h)) return false;
  const groups = ipv6Groups(h);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return groups[6]! >> 8 === 127;
  return groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 split in two). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * Throws {@link InsecureRedis} for a TCP Redis that is not on this machine and has neither a password
 * nor TLS, unless the configuration allows it explicitly. Checked before any connection is made.
 */
export function assertSafeRedisTransport(transport: RedisTransport, where: string, allowInsecure: boolean): void {
  if (allowInsecure || transport.path !== undefined) return;
  if (transport.host !== undefined && isLoopbackHost(transport.host)) return;
  if (transport.tls !== undefined || (transport.password ?? '') !== '') return;
  throw new InsecureRedis(where);
}

/** A password that crosses the network in clear (to any of the transports): worth a warning, since anyone on the path can read it. */
export function sendsPasswordInClear(transport: RedisTransport | readonly RedisTransport[]): boolean {
  const all: readonly RedisTransport[] = Array.isArray(transport) ? transport : [transport as RedisTransport];
  return all.some((t) => t.path === undefined && t.tls === undefined && (t.password ?? '') !== '' && !(t.host !== undefined && isLoopbackHost(t.host)));
}
