import { randomUUID } from 'node:crypto';
import type { Redis, Result } from 'ioredis';
import { z } from 'zod';
import { applicationCapacitySchema, type ApplicationCapacity, type ApplicationCapacityInput, type OpeningHours } from '../../core/capacity.ts';
import { ConfigError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { formatWallClock } from '../../core/wall-clock.ts';
import { nextOpening } from './opening-hours.ts';

/** Length of the sliding window behind `ratePerMinute`. */
export const RATE_WINDOW_MS = 60_000;

/** Both scripts' clock: ARGV[1] (an injected clock, in tests) or Redis server time, one clock for the fleet. */
const NOW = `
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[1])
end
`;

/**
 * Checks every application's rate window and session semaphore, and takes them all
 * only if none refuses: one script, so that the fleet's acquires are serialised.
 * KEYS: per application, its rate log then its sessions set.
 * ARGV: now in ms ('' = Redis server time), token, leaseMs, windowMs, then per
 * application its ratePerMinute and maxSessions (0 = no limit).
 * Returns {1, now} when granted, else {0, now, then per refusal: index, kind, used, waitMs}.
 */
const ACQUIRE = `${NOW}local token, leaseMs, windowMs = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local n = #KEYS / 2
local refused = {0, now}
for i = 1, n do
  local rateKey, sessionsKey = KEYS[2 * i - 1], KEYS[2 * i]
  local rate, maxSessions = tonumber(ARGV[3 + 2 * i]), tonumber(ARGV[4 + 2 * i])
  if rate > 0 then
    redis.call('ZREMRANGEBYSCORE', rateKey, '-inf', now - windowMs)
    local used = redis.call('ZCARD', rateKey)
    if used >= rate then
      -- one start is allowed again when enough of the oldest have left the window
      local entry = redis.call('ZRANGE', rateKey, used - rate, used - rate, 'WITHSCORES')
      for _, v in ipairs({i, 'rate', used, tonumber(entry[2]) + windowMs - now}) do table.insert(refused, v) end
    end
  end
  if maxSessions > 0 then
    redis.call('ZREMRANGEBYSCORE', sessionsKey, '-inf', now)
    local held = redis.call('ZCARD', sessionsKey)
    if held >= maxSessions then
      local first = redis.call('ZRANGE', sessionsKey, 0, 0, 'WITHSCORES')
      for _, v in ipairs({i, 'sessions', held, tonumber(first[2]) - now}) do table.insert(refused, v) end
    end
  end
end
if #refused > 2 then return refused end
for i = 1, n do
  local rateKey, sessionsKey = KEYS[2 * i - 1], KEYS[2 * i]
  if tonumber(ARGV[3 + 2 * i]) > 0 then
    redis.call('ZADD', rateKey, now, token)
    redis.call('PEXPIRE', rateKey, windowMs)
  end
  if tonumber(ARGV[4 + 2 * i]) > 0 then
    redis.call('ZADD', sessionsKey, now + leaseMs, token)
    if redis.call('PTTL', sessionsKey) < leaseMs then redis.call('PEXPIRE', sessionsKey, leaseMs) end
  end
end
return {1, now}
`;

/**
 * Extends the lease of a permit still held. KEYS: sessions sets. ARGV: now ('' = server
 * time), token, leaseMs. Returns how many of the leases had already expired (and are not revived).
 */
const RENEW = `${NOW}local leaseMs = tonumber(ARGV[3])
local lost = 0
for _, key in ipairs(KEYS) do
  local expiry = redis.call('ZSCORE', key, ARGV[2])
  if expiry and tonumber(expiry) > now then
    redis.call('ZADD', key, 'XX', now + leaseMs, ARGV[2])
    if redis.call('PTTL', key) < leaseMs then redis.call('PEXPIRE', key, leaseMs) end
  else
    if expiry then redis.call('ZREM', key, ARGV[2]) end
    lost = lost + 1
  end
end
return lost
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** The number of keys first (two per application), then the keys, then ACQUIRE's ARGV. */
    prowebCapacityAcquire(numberOfKeys: number, ...keysThenArgs: string[]): Result<(number | string)[], Context>;
    /** The number of keys first (the sessions sets), then the keys, then RENEW's ARGV. */
    prowebCapacityRenew(numberOfKeys: number, ...keysThenArgs: string[]): Result<number, Context>;
  }
}

/**
 * Loads the scripts as named commands (EVALSHA after the first call), once per connection.
 * No fixed number of keys: a scenario uses one application or several.
 */
function withCommands(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).prowebCapacityAcquire !== 'function') {
    redis.defineCommand('prowebCapacityAcquire', { lua: ACQUIRE });
    redis.defineCommand('prowebCapacityRenew', { lua: RENEW });
  }
  return redis;
}

/** What {@link CapacityGate.acquire} decided. */
export type CapacityDecision =
  | {
      granted: true;
      /** Gives the session permits back (the rate entries stay: the dossier did start). Idempotent. */
      release(): Promise<void>;
    }
  | {
      granted: false;
      /** When trying again may succeed: the oldest rate entry leaving the window, the next opening, or a short poll for sessions. */
      retryInMs: number;
      /** Why, per application refusing, e.g. `progres: 60 dossiers per minute reached`. */
      reason: string;
    };

/** What an application is using right now, fleet-wide. */
export interface ApplicationUsage {
  /** Dossiers started on it in the last {@link RATE_WINDOW_MS} (counted only when it has a `ratePerMinute`). */
  dossiersLastMinute: number;
  /** Holders of its session permits whose lease runs (counted only when it has a `maxSessions`). */
  sessionHolders: string[];
}

export interface CapacityGateOptions {
  /** Key namespace of the deployment, as for the queue and the ledger. */
  prefix: string;
  /** Limits by application id (as in the configuration); an application not listed, or listed without limits, is unlimited. */
  capacities: Record<string, ApplicationCapacityInput>;
  /** Clock in ms, for tests. Unset: Redis server time for the limits (one clock for the fleet), `Date.now()` for opening hours. */
  now?: () => number;
  /** How long a session permit lasts without renewal, so that a dead worker's permit comes back. @defaultValue 600 000 (10 min) */
  sessionLeaseMs?: number;
  /** Longest wait advised when sessions are all taken (they free up when a dossier ends, not at a known time). @defaultValue 1000 */
  sessionPollMs?: number;
  logger?: Logger;
}

const optionsSchema = z.object({
  prefix: z.string().min(1, { error: 'give the deployment prefix' }),
  capacities: z.record(z.string(), applicationCapacitySchema),
  sessionLeaseMs: z.number().int().min(1000, { error: 'sessionLeaseMs must be at least 1000 ms' }).default(600_000),
  sessionPollMs: z.number().int().positive().default(1000),
});

interface Limited {
  id: string;
  ratePerMinute: number;
  maxSessions: number;
}

/** Opening hours of several applications may not overlap; past this many hops, they never do. */
const COMMON_OPENING_HOPS = 200;

/**
 * Fleet-wide admission of dossiers into back-office applications: before a worker runs a
 * dossier it asks for every application the scenario uses, and gets all of them or none.
 *
 * The rate limit is a sliding-window log per application (`<prefix>:capacity:<app>:rate`, a
 * sorted set of start times); sessions are a semaphore of leased permits
 * (`<prefix>:capacity:<app>:sessions`, a sorted set of lease expiries). One Lua script checks
 * and takes them, so machines sharing the Redis never exceed a limit between them. A granted
 * permit renews its lease every third of `sessionLeaseMs` until released; a worker that dies
 * stops renewing, and its permits come back when the lease runs out. Opening hours are
 * checked here, before Redis is asked.
 *
 * The gate does not own the Redis client and holds nothing else: it has no `close()`. Each
 * granted decision must be released (in a `finally`); a forgotten one stops renewing only
 * when the process ends.
 */
export class CapacityGate {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly capacities: Record<string, ApplicationCapacity>;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly logger: Logger;
  private readonly clock: (() => number) | undefined;

  /** @throws {@link ConfigError} naming the application whose capacity is invalid. */
  constructor(redis: Redis, options: CapacityGateOptions) {
    this.redis = withCommands(redis);
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path[0] === 'capacities' ? `capacity of ${String(issue.path[1])}: ${issue.path.slice(2).join('.') || '(root)'}` : issue?.path.join('.');
      throw new ConfigError(`capacity gate: ${where}: ${issue?.message}`, 'See the capacity settings of the applications in proweb.config.json.');
    }
    this.prefix = parsed.data.prefix;
    this.capacities = parsed.data.capacities;
    this.leaseMs = parsed.data.sessionLeaseMs;
    this.pollMs = parsed.data.sessionPollMs;
    this.clock = options.now;
    this.logger = (options.logger ?? silentLogger).child({ module: 'capacity-gate' });
  }

  private key(applicationId: string, kind: 'rate' | 'sessions'): string {
    return `${this.prefix}:capacity:${applicationId}:${kind}`;
  }

  /**
   * Asks for one dossier's worth of capacity on every application in `applicationIds`
   * (duplicates count once), for `holder` (the job id: it names the permit's holder).
   * Closed applications refuse first; then the rate and session limits are checked and
   * taken in one atomic step, all or none.
   *
   * @throws {@link ConfigError} when the applications' opening hours never overlap.
   */
  async acquire(applicationIds: readonly string[], holder: string): Promise<CapacityDecision> {
    if (holder === '') throw new TypeError('capacity gate: holder must name who holds the permit (e.g. the job id)');
    const ids = [...new Set(applicationIds)];
    const at = this.clock ? this.clock() : Date.now();

    const closed = this.closedApplications(ids, at);
    if (closed) return closed;

    const limited: Limited[] = ids.flatMap((id) => {
      const c = this.capacities[id];
      return c && (c.ratePerMinute || c.maxSessions) ? [{ id, ratePerMinute: c.ratePerMinute ?? 0, maxSessions: c.maxSessions ?? 0 }] : [];
    });
    if (limited.length === 0) return { granted: true, release: async () => {} };

    const token = `${holder}#${randomUUID()}`;
    const keys = limited.flatMap((a) => [this.key(a.id, 'rate'), this.key(a.id, 'sessions')]);
    const result = await this.redis.prowebCapacityAcquire(
      keys.length, ...keys,
      this.clock ? String(at) : '', token, String(this.leaseMs), String(RATE_WINDOW_MS), ...limited.flatMap((a) => [String(a.ratePerMinute), String(a.maxSessions)]),
    );

    if (result[0] === 1) return this.permit(token, limited.filter((a) => a.maxSessions > 0).map((a) => this.key(a.id, 'sessions')));

    let retryInMs = 1;
    const reasons: string[] = [];
    for (let i = 2; i + 3 < result.length; i += 4) {
      const app = limited[Number(result[i]) - 1]!;
      const used = Number(result[i + 2]);
      const waitMs = Number(result[i + 3]);
      if (result[i + 1] === 'rate') {
        reasons.push(`${app.id}: ${app.ratePerMinute} ${app.ratePerMinute > 1 ? 'dossiers' : 'dossier'} per minute reached`);
        retryInMs = Math.max(retryInMs, waitMs);
      } else {
        reasons.push(`${app.id}: ${used} ${used > 1 ? 'sessions' : 'session'} in use (maxSessions ${app.maxSessions})`);
        // A session frees when a dossier ends, at no known time; a lease about to lapse is the exception.
        retryInMs = Math.max(retryInMs, Math.min(this.pollMs, Math.max(1, waitMs)));
      }
    }
    return { granted: false, retryInMs, reason: reasons.join('; ') };
  }

  /** Fleet-wide use of one application now, for monitoring. */
  async usage(applicationId: string): Promise<ApplicationUsage> {
    const now = this.clock ? this.clock() : await this.serverTime();
    const [dossiers, holders] = await Promise.all([
      this.redis.zcount(this.key(applicationId, 'rate'), `(${now - RATE_WINDOW_MS}`, '+inf'),
      this.redis.zrangebyscore(this.key(applicationId, 'sessions'), `(${now}`, '+inf'),
    ]);
    return { dossiersLastMinute: dossiers, sessionHolders: holders.map((token) => token.slice(0, token.lastIndexOf('#'))) };
  }

  /** A refusal when one of the applications is closed at `at`, retrying when all are open together. */
  private closedApplications(ids: string[], at: number): CapacityDecision | undefined {
    const scheduled = ids.flatMap((id) => {
      const hours = this.capacities[id]?.openingHours;
      return hours ? [{ id, hours }] : [];
    });
    if (scheduled.length === 0) return undefined;
    const closed = scheduled
      .map((s) => ({ ...s, opens: nextOpening(s.hours, new Date(at)) }))
      .filter((s) => s.opens.getTime() > at);
    if (closed.length === 0) return undefined;
    const opensTogether = commonOpening(scheduled, at);
    return {
      granted: false,
      retryInMs: opensTogether - at,
      reason: closed.map((s) => `${s.id} is closed until ${formatWallClock(s.opens, s.hours.timezone)} (${s.hours.timezone})`).join('; '),
    };
  }

  private permit(token: string, sessionKeys: string[]): CapacityDecision {
    let released: Promise<void> | undefined;
    let renewing = false;
    let warned = false;
    const timer =
      sessionKeys.length === 0
        ? undefined
        : setInterval(() => {
            if (renewing) return;
            renewing = true;
            this.redis.prowebCapacityRenew(sessionKeys.length, ...sessionKeys, this.clock ? String(this.clock()) : '', token, String(this.leaseMs))
              .then((lost) => {
                if (Number(lost) > 0 && !warned) {
                  warned = true;
                  this.logger.warn({ holder: token.slice(0, token.lastIndexOf('#')), lost }, 'session permit expired while held (process paused longer than the lease?)');
                }
              })
              .catch((err: unknown) => this.logger.warn({ err }, 'session permit renewal failed; the lease runs on'))
              .finally(() => {
                renewing = false;
              });
          }, Math.floor(this.leaseMs / 3));
    // A forgotten permit must not keep the process alive.
    timer?.unref();
    return {
      granted: true,
      release: () => {
        clearInterval(timer);
        released ??= (async () => {
          if (sessionKeys.length > 0) await Promise.all(sessionKeys.map((key) => this.redis.zrem(key, token)));
        })().catch((err: unknown) => {
          // Let a later call try again; meanwhile the lease bounds how long the permit stays taken.
          released = undefined;
          throw err;
        });
        return released;
      },
    };
  }

  private async serverTime(): Promise<number> {
    const [seconds, micros] = await this.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }
}

/** The first instant at or after `at` when every schedule is open at once. */
function commonOpening(schedules: { id: string; hours: OpeningHours }[], at: number): number {
  let t = at;
  for (let hop = 0; hop < COMMON_OPENING_HOPS; hop++) {
    const latest = Math.max(...schedules.map((s) => nextOpening(s.hours, new Date(t)).getTime()));
    if (latest === t) return t;
    t = latest;
  }
  throw new ConfigError(
    `the opening hours of ${schedules.map((s) => s.id).join(', ')} never overlap: a dossier needs them open at the same time`,
    'Widen the openingHours of these applications so that they share some hours.',
  );
}
