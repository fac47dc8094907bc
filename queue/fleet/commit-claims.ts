import type { Redis, Result } from 'ioredis';
import { replicated, WriteNotReplicated } from '../../core/replica-ack.ts';
import type { CommitClaim, CommitGate, CommitRequest } from '../../runner/index.ts';

/**
 * One commit per dossier, fleet-wide. Just before a commit click the worker claims the
 * dossier's commit step in Redis, in one script with the check that the dossier's attempt lock
 * (see `AttemptLocks`: taken when the attempt starts, renewed with BullMQ's lock on the job) is
 * still this attempt's: a worker frozen past its lock (its job retaken by another machine) is told
 * "lost" and never clicks; a second attempt, here or on another machine, finds the claim and
 * never clicks either. The claim stores until when the click it allowed may still land (Redis
 * time + lock duration + the step's timeout), so that the others know how long to wait.
 * Under Sentinel a claim counts only once a replica holds it (see {@link replicated}): the same
 * attempt asking again is granted again, which is how a claim lost in a failover is taken anew.
 *
 * KEYS: the dossier's attempt lock, the dossier's claims (a hash: commit step → "settleAt|holder").
 * ARGV: lock token, step, holder, settle window (ms), retention of the claims (ms).
 * Returns {1} granted, {0} lock lost, {2, ms until the earlier click has settled} claimed.
 */
const CLAIM = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = redis.call('HGET', KEYS[2], ARGV[2])
if held and string.sub(held, string.find(held, '|', 1, true) + 1) == ARGV[3] then return {1} end
if held then return {2, tonumber(string.match(held, '^(%d+)')) - now} end
redis.call('HSET', KEYS[2], ARGV[2], tostring(now + tonumber(ARGV[4])) .. '|' .. ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {1}
`;

/** Gives back a claim, only if this holder took it (a claim never used: nothing was clicked). */
const RELEASE = `
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held and string.sub(held, string.find(held, '|', 1, true) + 1) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;

/** How long a dossier's claims are kept: a dossier resubmitted within this time waits for them. @defaultValue one day */
export const DEFAULT_CLAIM_RETENTION_MS = 24 * 3600_000;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    prowebCommitClaim(attemptKey: string, claimsKey: string, token: string, step: string, holder: string, settleMs: number, retentionMs: number): Result<[number, number?], Context>;
    prowebCommitRelease(claimsKey: string, step: string, holder: string): Result<number, Context>;
  }
}

/** Loads the scripts as named commands (EVALSHA after the first call), once per connection. */
function withCommands(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).prowebCommitClaim !== 'function') {
    redis.defineCommand('prowebCommitClaim', { numberOfKeys: 2, lua: CLAIM });
    redis.defineCommand('prowebCommitRelease', { numberOfKeys: 1, lua: RELEASE });
  }
  return redis;
}

export interface CommitClaimsOptions {
  /** Key namespace of the deployment. */
  prefix: string;
  /** The lock duration (BullMQ's, and the attempt lock's): how long a frozen worker may still believe it holds its job. */
  lockDurationMs: number;
  /** @defaultValue {@link DEFAULT_CLAIM_RETENTION_MS} */
  retentionMs?: number;
}

/** The commit claims of a deployment; hands out one {@link CommitGate} per attempt of a dossier. */
export class CommitClaims {
  private readonly redis: Redis;

  constructor(
    redis: Redis,
    private readonly options: CommitClaimsOptions,
  ) {
    this.redis = withCommands(redis);
  }

  /** Where a dossier's claims live. */
  private keyOf(scenarioId: string, dossierId: string): string {
    return `${this.options.prefix}:commit:${scenarioId}:${dossierId}`;
  }

  /**
   * Whether an attempt of the fleet claimed a commit of the dossier within the claims'
   * retention: an entry its guard finds then is the robot's own (an answer lost after the click).
   */
  async claimed(scenarioId: string, dossierId: string): Promise<boolean> {
    return (await this.redis.exists(this.keyOf(scenarioId, dossierId))) === 1;
  }

  /**
   * The gate of one attempt: `attemptKey` and `token` are the dossier's attempt lock (see
   * `AttemptLocks.keyOf`) and this attempt's token; `holder` names the attempt (machine, job,
   * attempt) in the claim.
   */
  gate(attempt: { scenarioId: string; dossierId: string; attemptKey: string; token: string; holder: string }): CommitGate {
    const claimsKey = this.keyOf(attempt.scenarioId, attempt.dossierId);
    const { lockDurationMs, retentionMs = DEFAULT_CLAIM_RETENTION_MS } = this.options;
    const holder = `${attempt.holder}|${attempt.token}`;
    return {
      claim: async ({ step, timeoutMs }: CommitRequest): Promise<CommitClaim> => {
        const asked = performance.now();
        const settleMs = lockDurationMs + timeoutMs;
        const claimed = () => this.redis.prowebCommitClaim(attempt.attemptKey, claimsKey, attempt.token, step, holder, settleMs, Math.max(retentionMs, settleMs));
        let code: number;
        let settleInMs: number | undefined;
        try {
          // Past half a lock the click is refused anyway (clickBy): no longer worth waiting for a replica.
          [code, settleInMs] = await replicated(this.redis, `the commit claim of ${attempt.scenarioId} step ${step}`, claimed, { deadlineMs: lockDurationMs / 2 });
        } catch (error) {
          // Not clicked: the claim, if this primary kept it, goes back so that the retry need not wait for it.
          if (error instanceof WriteNotReplicated) await this.redis.prowebCommitRelease(claimsKey, step, holder).catch(() => undefined);
          throw error;
        }
        if (code === 0) return { granted: false, reason: 'lost', detail: 'its queue lock expired or another worker took the dossier over' };
        if (code === 2) return { granted: false, reason: 'claimed', settleInMs: Number(settleInMs ?? 0) };
        // Measured from before the script ran: past half a lock, the takeover may be on its way.
        return { granted: true, clickBy: asked + lockDurationMs / 2 };
      },
      release: async (step: string) => {
        await this.redis.prowebCommitRelease(claimsKey, step, holder);
      },
    };
  }
}
