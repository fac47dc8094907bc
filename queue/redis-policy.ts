import type { Redis } from 'ioredis';
import { isIPv4, isIPv6 } from 'node:net';
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

/** A password that crosses the network in clear: worth a warning, since anyone on the path can read it. */
export function sendsPasswordInClear(transport: RedisTransport): boolean {
  return transport.path === undefined && transport.tls === undefined && (transport.password ?? '') !== '' && !(transport.host !== undefined && isLoopbackHost(transport.host));
}
