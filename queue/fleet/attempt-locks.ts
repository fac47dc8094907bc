import type { Redis, Result } from 'ioredis';

/**
 * Renews the locks of the attempts still holding them, and takes back a lock that is gone.
 * KEYS: the attempt locks; ARGV: each one's token, then the lock duration (ms). Returns the
 * 1-based positions of the locks another attempt holds.
 *
 * Called only once BullMQ has renewed the jobs' own locks for these tokens: the job is still this
 * attempt's, so a missing lock (expired while a renewal failed, or lost in a failover before any
 * replica held it) is taken back rather than counted as taken over. An attempt that takes the job
 * over always writes its own token, so a lock held by another is never replaced.
 */
const RENEW = `
local lost = {}
for i = 1, #KEYS do
  local holder = redis.call('GET', KEYS[i])
  if holder == ARGV[i] or not holder then
    redis.call('SET', KEYS[i], ARGV[i], 'PX', ARGV[#ARGV])
  else
    lost[#lost + 1] = i
  end
end
return lost
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    prowebAttemptRenew(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<number[], Context>;
  }
}

/** Loads the script as a named command (EVALSHA after the first call), once per connection. */
function withCommands(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).prowebAttemptRenew !== 'function') redis.defineCommand('prowebAttemptRenew', { lua: RENEW });
  return redis;
}

/** One attempt at a dossier: its BullMQ job, and the token it was given with it (a new one each time the job is taken). */
export interface Attempt {
  jobId: string;
  token: string;
}

/**
 * Which attempt runs a dossier now, fleet-wide: its job's attempt lock holds the token of the
 * attempt that started last (`<prefix>:attempt:<job id>`), for a lock duration unless renewed.
 * Kept by job, as BullMQ's lock is: a dry run of the dossier, a job of its own, never takes the
 * lock of its real job. It is the lock the commit claim checks (see `CommitClaims`), kept by proweb
 * so that no script of ours reads BullMQ's keys:
 *
 * - taken when an attempt starts, in the same script as what the worker reads before a dossier
 *   (`readDossierStart`): an attempt that takes a job over from a frozen machine overwrites it;
 * - renewed when BullMQ has renewed the job's lock (its `locksRenewed` event), unless another
 *   attempt holds it: so it lasts at least as long as BullMQ's lock, and a frozen machine, which
 *   renews neither, loses both; gone while BullMQ's lock was held (a renewal that failed, a
 *   failover), it is taken back at the next renewal;
 * - never released: it expires a lock duration after the last renewal (the next attempt
 *   overwrites it in any case).
 *
 * It does not own the connection.
 */
export class AttemptLocks {
  private readonly redis: Redis;

  constructor(
    redis: Redis,
    private readonly options: { prefix: string; lockDurationMs: number },
  ) {
    this.redis = withCommands(redis);
  }

  /** The key of a job's attempt lock (job ids hold no ':'). */
  keyOf(jobId: string): string {
    return `${this.options.prefix}:attempt:${jobId}`;
  }

  /** How long a lock lasts without a renewal. */
  get durationMs(): number {
    return this.options.lockDurationMs;
  }

  /**
   * Renews, in one round trip, the locks of these attempts, whose jobs' BullMQ locks have just
   * been renewed: held or gone, the lock is theirs again.
   * @returns the attempts whose lock another attempt holds (the job was taken over).
   */
  async renew<A extends Attempt>(attempts: readonly A[]): Promise<A[]> {
    if (attempts.length === 0) return [];
    const lost = await this.redis.prowebAttemptRenew(
      attempts.length, ...attempts.map((a) => this.keyOf(a.jobId)), ...attempts.map((a) => a.token), this.options.lockDurationMs,
    );
    return lost.map((i) => attempts[Number(i) - 1]!);
  }

  /** Whether the attempt still holds its dossier's lock (a Redis error counts as no: nothing is recorded on a doubt). */
  async holds(attempt: Attempt): Promise<boolean> {
    return (await this.redis.get(this.keyOf(attempt.jobId)).catch(() => undefined)) === attempt.token;
  }
}
