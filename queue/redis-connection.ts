import { readFile } from 'node:fs/promises';
import { Redis, type RedisOptions } from 'ioredis';
import { ProwebError } from '../core/errors.ts';
import { assertSafeRedisTransport } from './redis-policy.ts';

/** REDIS_URL (or another Redis address) cannot be used; the message names the value, password masked. */
export class InvalidRedisUrl extends ProwebError {
  override name = 'InvalidRedisUrl';
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(
      `invalid Redis URL ${maskPassword(url)}: ${detail}`,
      'Use redis://[user:password@]host[:port][/db], rediss://... for TLS, or unix:/path/to/redis.sock; or unset REDIS_URL to use the embedded redis-server.',
    );
  }
}

/**
 * Settings every proweb connection shares. BullMQ workers hold blocking commands
 * and must never give up on them, hence `maxRetriesPerRequest: null`.
 */
const BASE_OPTIONS = { maxRetriesPerRequest: null, enableReadyCheck: true } as const satisfies RedisOptions;

/**
 * Options for ioredis/BullMQ from a Redis URL.
 *
 * Accepts `redis://`, `rediss://` (TLS), with optional `user:password@` and `/db`, and
 * `unix:/path/redis.sock` (the form {@link EmbeddedRedis.url} displays).
 * The result carries `maxRetriesPerRequest: null`, which BullMQ workers need.
 *
 * @throws {@link InvalidRedisUrl} naming the bad value (password masked).
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
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
    throw new InvalidRedisUrl(url, `unsupported scheme "${parsed.protocol}" (expected redis:, rediss: or unix:)`);
  }
  // WHATWG URL keeps brackets around IPv6 literals; sockets want the bare address.
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new InvalidRedisUrl(url, 'no host');

  const options: RedisOptions = { ...BASE_OPTIONS, host, port: parsed.port === '' ? 6379 : Number(parsed.port) };
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  const dbText = parsed.pathname.replace(/^\//, '');
  if (dbText !== '') {
    if (!/^\d+$/.test(dbText)) throw new InvalidRedisUrl(url, `database "${dbText}" is not a number`);
    options.db = Number(dbText);
  }
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
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
 * {@link redisOptionsFromUrl}, then the deployment's rules, before any connection is made: a
 * remote Redis needs a password or TLS unless allowed explicitly, and `rediss://` checks the
 * server's certificate against `caFile` when given (else the system's authorities).
 *
 * @throws {@link InvalidRedisUrl}, {@link InsecureRedis} or {@link RedisCaFileError}.
 */
export async function redisConnectionFor(url: string, policy: RedisConnectionPolicy = {}): Promise<RedisOptions> {
  const options = redisOptionsFromUrl(url);
  assertSafeRedisTransport(options, maskPassword(url), policy.allowInsecure ?? false);
  if (policy.caFile === undefined) return options;
  if (options.tls === undefined) {
    throw new RedisCaFileError(policy.caFile, `given, but ${maskPassword(url)} is not a rediss:// URL, so nothing would be encrypted`);
  }
  let ca: string;
  try {
    ca = await readFile(policy.caFile, 'utf8');
  } catch (cause) {
    throw new RedisCaFileError(policy.caFile, `cannot be read (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(ca)) throw new RedisCaFileError(policy.caFile, 'holds no PEM certificate');
  return { ...options, tls: { ...options.tls, ca } };
}

/** A URL as it may be shown: its password, if any, replaced by `***`. */
export function redisUrlForDisplay(url: string): string {
  return maskPassword(url);
}

/**
 * An ioredis client for proweb: `maxRetriesPerRequest: null` (required by BullMQ workers)
 * and `enableReadyCheck`, on top of `connection` and then `extra`.
 *
 * The caller owns the client and must `quit()` or `disconnect()` it. Attach an `error`
 * listener if the client may outlive a Redis restart, else ioredis reports on stderr.
 */
export function createRedis(
  connection: RedisOptions | { path: string } | { host: string; port: number },
  extra: Partial<RedisOptions> = {},
): Redis {
  return new Redis({ ...BASE_OPTIONS, ...connection, ...extra });
}

function maskPassword(url: string): string {
  // Done by hand because the value may not parse as a URL at all.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}
