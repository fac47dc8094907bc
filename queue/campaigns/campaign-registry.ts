import type { Job, Queue } from 'bullmq';
import type { Redis, Result } from 'ioredis';
import { z } from 'zod';
import { ProwebError } from '../../core/errors.ts';
import { DEFAULT_PREFIX, queueNameFor } from '../queue-options.ts';

/** What a campaign is told to do. `finished` is not stored: it is seen (nothing left to run). */
export const campaignStateSchema = z.enum(['active', 'paused', 'cancelled']);
export type CampaignState = z.output<typeof campaignStateSchema>;

const count = z.number().int().min(0);

/**
 * A campaign as the registry keeps it: what was submitted, by whom, and what it is
 * told to do. Stored as a Redis hash of strings; this schema is its boundary.
 */
export const campaignRecordSchema = z.object({
  id: z.string().regex(/^[\w.-]+$/),
  scenarioId: z.string().min(1),
  scenarioVersion: z.string().min(1),
  caisse: z.string().min(1),
  /** The input file, absolute, as the submitting machine saw it. */
  file: z.string().min(1),
  submittedAt: z.iso.datetime(),
  /** No dossier is taken before then. */
  notBefore: z.iso.datetime().optional(),
  /** BullMQ priority: 1 is taken first. */
  priority: z.number().int().min(1).max(2_097_152).optional(),
  dryRun: z.boolean().optional(),
  rows: count,
  invalidRows: count,
  alreadyDone: count,
  /** Jobs this campaign added. */
  queued: count,
  /** Dossiers left queued by an earlier submission, run under that one. */
  alreadyQueued: count,
  rejectionFile: z.string().optional(),
  state: campaignStateSchema,
  /** When the first dossier started (set once, by the worker that took it). */
  startedAt: z.iso.datetime().optional(),
  pausedAt: z.iso.datetime().optional(),
  cancelledAt: z.iso.datetime().optional(),
  /** Queued dossiers removed by `cancel` (those a worker dropped later are counted from the queue). */
  cancelled: count.optional(),
  /** The machine that submitted it. */
  machine: z.string().optional(),
  /** The input file is still being read: more jobs may come. */
  reading: z.boolean().optional(),
});

export type CampaignRecord = z.output<typeof campaignRecordSchema>;

const NUMBER_FIELDS = new Set(['priority', 'rows', 'invalidRows', 'alreadyDone', 'queued', 'alreadyQueued', 'cancelled']);
const BOOLEAN_FIELDS = new Set(['dryRun', 'reading']);

/** A hash's strings back into a record's types; the schema then checks them. */
function decode(hash: Record<string, string>): unknown {
  return Object.fromEntries(
    Object.entries(hash).map(([k, v]) => [k, NUMBER_FIELDS.has(k) ? Number(v) : BOOLEAN_FIELDS.has(k) ? v === 'true' : v]),
  );
}

const encode = (fields: Partial<CampaignRecord>): string[] =>
  Object.entries(fields).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));

/** No campaign has this id in this deployment (wrong id, another `prefix`, or expired). */
export class CampaignNotFound extends ProwebError {
  override name = 'CampaignNotFound';
  constructor(readonly campaignId: string) {
    super(`no campaign "${campaignId}" in this Redis`, 'List the recent campaigns with `proweb campaign list` (same REDIS_URL and prefix as the submission).');
  }
}

/** The campaign cannot go to the state asked (a cancelled campaign stays cancelled). */
export class CampaignStateError extends ProwebError {
  override name = 'CampaignStateError';
}

/** Where a campaign's jobs are, from the queue's point of view. */
export interface CampaignJobStates {
  /** Jobs registered for the campaign. */
  total: number;
  /** Waiting for a worker (including prioritized ones). */
  waiting: number;
  /** Delayed: until the campaign's not-before time, parked while it is paused, or waiting out a retry backoff or the back office's capacity. */
  delayed: { notBefore: number; paused: number; retrying: number };
  active: number;
  /** Ended in the queue (completed or failed), or no longer there (kept finished jobs are trimmed). */
  ended: number;
  /** Taken by a worker after the cancellation and dropped without being run. */
  discarded: number;
}

/**
 * One job's place, as {@link CampaignRegistry} reads it through BullMQ's public API: `other`
 * is a job that now carries another campaign (a job id is a dossier's: a later campaign may
 * reuse it once this one's job ended), `gone` a job no longer in the queue (kept finished
 * jobs are trimmed), `discarded` one a worker dropped because the campaign was cancelled.
 */
type JobPlace = { id: string; state: 'gone' | 'other' | 'ended' | 'discarded' | 'delayed' | 'waiting' | 'active' };

/** The campaign a job carries (its data's `campaignId`, readable without the deployment secret). */
const campaignOf = (job: Job): unknown => (job.data as { campaignId?: unknown } | null)?.campaignId;

const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
return 1
`;

/** Moves a campaign to ARGV[1] unless it is in a state ARGV[4..] forbids; returns the previous state (false when there is no such campaign). */
const TRANSITION = `
local previous = redis.call('HGET', KEYS[1], 'state')
if not previous then return false end
for i = 4, #ARGV do
  if previous == ARGV[i] then return previous end
end
redis.call('HSET', KEYS[1], 'state', ARGV[1])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) end
return previous
`;

const MARK_STARTED = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'startedAt', ARGV[1])
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** KEYS: the record, the campaigns' index. ARGV: index score, id, then the record's fields and values. 1 created, 0 taken. */
    prowebCampaignCreate(recordKey: string, indexKey: string, score: string, id: string, ...fields: string[]): Result<number, Context>;
    /** ARGV: the state to go to, the field stamped with the time ('' none), the time, then the states it cannot leave. */
    prowebCampaignTransition(recordKey: string, to: string, stamp: string, at: string, ...forbidden: string[]): Result<string | null, Context>;
    prowebCampaignMarkStarted(recordKey: string, at: string): Result<number, Context>;
  }
}

/** Loads the registry's scripts as named commands (EVALSHA after the first call), once per connection. */
function withCommands(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).prowebCampaignCreate !== 'function') {
    redis.defineCommand('prowebCampaignCreate', { numberOfKeys: 2, lua: CREATE });
    redis.defineCommand('prowebCampaignTransition', { numberOfKeys: 1, lua: TRANSITION });
    redis.defineCommand('prowebCampaignMarkStarted', { numberOfKeys: 1, lua: MARK_STARTED });
  }
  return redis;
}

export interface CampaignRegistryOptions {
  /** Key namespace, shared with the queues and the ledger. @defaultValue 'proweb' */
  prefix?: string;
  /**
   * A campaign is forgotten this long after its last change (submission, pause,
   * resume, cancel), so that a shared Redis does not keep every job id forever;
   * the ledger keeps the dossiers for good. @defaultValue 90 days
   */
  retentionMs?: number;
}

/** Job ids asked for per round trip. */
const BATCH = 1000;

/**
 * The campaigns of a deployment, in the same Redis as the queues: each one's record,
 * the ids of its jobs, and what it is told to do. Queues are per scenario, so pausing
 * or cancelling one campaign is cooperative: workers read {@link stateOf} before each
 * dossier, park a paused campaign's dossiers and drop a cancelled one's; `resume`
 * wakes the parked ones and `cancel` removes the queued ones at once. BullMQ is reached
 * through its public methods only (jobs read by id, promoted, removed), never its keys;
 * the registry's own scripts are named commands. It does not own the connection.
 */
export class CampaignRegistry {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly retentionSeconds: number;

  constructor(redis: Redis, options: CampaignRegistryOptions = {}) {
    this.redis = withCommands(redis);
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.retentionSeconds = Math.ceil((options.retentionMs ?? 90 * 24 * 3600_000) / 1000);
  }

  private recordKey(id: string): string {
    return `${this.prefix}:campaign:${id}`;
  }

  private jobsKey(id: string): string {
    return `${this.prefix}:campaign:${id}:jobs`;
  }

  private get indexKey(): string {
    return `${this.prefix}:campaigns`;
  }

  private async touch(id: string): Promise<void> {
    await this.redis.multi().expire(this.recordKey(id), this.retentionSeconds).expire(this.jobsKey(id), this.retentionSeconds).exec();
  }

  /**
   * Registers a new campaign with the jobs known so far (more come with {@link addJobs}).
   * @throws {@link CampaignStateError} when the id is taken.
   */
  async create(record: CampaignRecord, jobIds: readonly string[] = []): Promise<CampaignRecord> {
    const valid = campaignRecordSchema.parse(record);
    const created = await this.redis.prowebCampaignCreate(this.recordKey(valid.id), this.indexKey, String(Date.parse(valid.submittedAt)), valid.id, ...encode(valid));
    if (created !== 1) throw new CampaignStateError(`a campaign "${valid.id}" exists already`, 'Give another campaign id, or none to get a fresh one.');
    await this.addJobs(valid.id, jobIds);
    await this.touch(valid.id);
    return valid;
  }

  /** Adds job ids to a campaign (a submission streams its file in batches). */
  async addJobs(id: string, jobIds: readonly string[]): Promise<void> {
    for (let i = 0; i < jobIds.length; i += BATCH) await this.redis.sadd(this.jobsKey(id), ...jobIds.slice(i, i + BATCH));
    if (jobIds.length > 0) await this.redis.expire(this.jobsKey(id), this.retentionSeconds);
  }

  /** Records what the submission found once the file is read (counts, rejection file). */
  async update(id: string, fields: Partial<Pick<CampaignRecord, 'rows' | 'invalidRows' | 'alreadyDone' | 'queued' | 'alreadyQueued' | 'rejectionFile' | 'reading'>>): Promise<CampaignRecord> {
    const current = await this.get(id);
    campaignRecordSchema.parse({ ...current, ...fields });
    // Only the fields given are written: the state may change meanwhile (a pause while the file is read).
    const { reading, ...rest } = fields;
    const multi = this.redis.multi();
    const values = encode(rest);
    if (values.length > 0) multi.hset(this.recordKey(id), ...values);
    if (reading) multi.hset(this.recordKey(id), 'reading', 'true');
    else if (reading === false) multi.hdel(this.recordKey(id), 'reading');
    await multi.exec();
    await this.touch(id);
    return this.get(id);
  }

  /** Forgets a campaign whose submission failed before any job was added. */
  async forget(id: string): Promise<void> {
    await this.redis.multi().del(this.recordKey(id), this.jobsKey(id)).zrem(this.indexKey, id).exec();
  }

  /** The campaign's record, or undefined. */
  async find(id: string): Promise<CampaignRecord | undefined> {
    if (!/^[\w.-]+$/.test(id)) return undefined;
    const hash = await this.redis.hgetall(this.recordKey(id));
    if (Object.keys(hash).length === 0) return undefined;
    return campaignRecordSchema.parse(decode(hash));
  }

  /** @throws {@link CampaignNotFound} */
  async get(id: string): Promise<CampaignRecord> {
    const record = await this.find(id);
    if (!record) throw new CampaignNotFound(id);
    return record;
  }

  /** What the campaign is told to do; undefined for a campaign the registry does not know (a worker refuses its jobs). One HGET. */
  async stateOf(id: string): Promise<CampaignState | undefined> {
    const lookup = this.stateLookup(id);
    return lookup.read(await this.redis.hget(lookup.key, lookup.field));
  }

  /**
   * Where {@link stateOf} reads, for a caller that reads it in a script of its own with other
   * things (the worker, before each dossier, in one round trip): `field` of the hash `key`.
   */
  stateLookup(id: string): { key: string; field: string; read(value: string | null): CampaignState | undefined } {
    return {
      key: this.recordKey(id),
      field: 'state',
      read: (value) => {
        const parsed = campaignStateSchema.safeParse(value);
        return parsed.success ? parsed.data : undefined;
      },
    };
  }

  /** When the first dossier started; only the first call counts. */
  async markStarted(id: string, at: Date = new Date()): Promise<void> {
    await this.redis.prowebCampaignMarkStarted(this.recordKey(id), at.toISOString());
  }

  private async transition(id: string, to: CampaignState, stamp: keyof CampaignRecord | '', forbidden: CampaignState[]): Promise<CampaignState> {
    const previous = await this.redis.prowebCampaignTransition(this.recordKey(id), to, stamp, new Date().toISOString(), ...forbidden);
    if (previous === null) throw new CampaignNotFound(id);
    const state = campaignStateSchema.parse(previous);
    if (forbidden.includes(state) && state !== to) {
      throw new CampaignStateError(`campaign ${id} is ${state}: it cannot be made ${to}`, state === 'cancelled' ? 'Submit the file again as a new campaign: dossiers already done are skipped.' : undefined);
    }
    await this.touch(id);
    return state;
  }

  /**
   * Pauses a campaign: workers park its dossiers as they take them (running ones
   * finish). Pausing a paused campaign changes nothing.
   * @throws {@link CampaignStateError} for a cancelled campaign.
   */
  async pause(id: string): Promise<CampaignRecord> {
    await this.transition(id, 'paused', 'pausedAt', ['cancelled', 'paused']);
    return this.get(id);
  }

  /**
   * Resumes a campaign and wakes its parked dossiers at once (rather than when their
   * parking ends). Dossiers waiting for the campaign's not-before time stay delayed.
   * @throws {@link CampaignStateError} for a cancelled campaign.
   */
  async resume(id: string, queue: Queue): Promise<{ campaign: CampaignRecord; promoted: number }> {
    const record = await this.get(id);
    this.checkQueue(record, queue);
    await this.transition(id, 'active', '', ['cancelled', 'active']);
    let promoted = 0;
    if (!record.notBefore || Date.parse(record.notBefore) <= Date.now()) {
      // The delayed set, not the campaign's every job: only its parked and retrying ones are read.
      for await (const jobs of this.ownJobsIn(id, queue, 'delayed')) {
        // One that left the delayed set meanwhile (taken, removed) needs no waking: BullMQ refuses to promote it.
        const results = await Promise.all(jobs.map((job) => job.promote().then(() => 1, () => 0)));
        promoted += results.reduce<number>((a, b) => a + b, 0);
      }
    }
    return { campaign: await this.get(id), promoted };
  }

  /**
   * Cancels a campaign: its waiting and delayed dossiers are removed from the queue,
   * and workers drop any they take later. Dossiers running now finish. Cancelling
   * again removes what came since (a file still being read). A cancellation cut short
   * leaves dossiers queued: workers drop them, and a second cancel removes them.
   */
  async cancel(id: string, queue: Queue): Promise<{ campaign: CampaignRecord; cancelled: number; stillRunning: number }> {
    const record = await this.get(id);
    this.checkQueue(record, queue);
    await this.transition(id, 'cancelled', 'cancelledAt', ['cancelled']);
    let cancelled = 0;
    // The wait list newest first: BullMQ removes a listed job by scanning the list from its
    // newest end, so each removal scans only the other campaigns' jobs queued after this one's
    // (in the campaign's own order, a scan of its whole remainder per job). proweb gives every
    // job a priority, which keeps it in a sorted set; the list holds jobs added without one.
    for await (const jobs of this.ownJobsIn(id, queue, 'wait')) cancelled += await this.remove(id, queue, jobs.map((job) => job.id!));
    let stillRunning = 0;
    // Then the rest: prioritized, delayed (not-before, parked, retrying), and any added since.
    for await (const batch of this.places(id, queue)) {
      stillRunning += batch.filter((p) => p.state === 'active').length;
      cancelled += await this.remove(id, queue, batch.filter((p) => p.state === 'waiting' || p.state === 'delayed').map((p) => p.id));
    }
    return { campaign: await this.get(id), cancelled, stillRunning };
  }

  /**
   * The campaign's jobs now in one of BullMQ's lists or sets, in its order, a batch at a
   * time: the ids read from the queue, kept when the campaign registered them (one round
   * trip a thousand), then read, and kept when they still carry the campaign, unfinished.
   */
  private async *ownJobsIn(id: string, queue: Queue, type: 'wait' | 'delayed'): AsyncGenerator<Job[]> {
    const listed = await queue.getRanges([type], 0, -1);
    for (let i = 0; i < listed.length; i += BATCH) {
      const ids = listed.slice(i, i + BATCH);
      const member = await this.redis.smismember(this.jobsKey(id), ...ids);
      const candidates = ids.filter((_, j) => member[j] === 1);
      if (candidates.length === 0) continue;
      const jobs = await Promise.all(candidates.map((jobId) => queue.getJob(jobId).catch(() => undefined)));
      const own = jobs.filter((job): job is Job => job?.id !== undefined && !job.finishedOn && campaignOf(job) === id);
      if (own.length > 0) yield own;
    }
  }

  /** Removes these jobs and counts them in the record; BullMQ keeps a job a worker locked meanwhile: it is left to finish. */
  private async remove(id: string, queue: Queue, jobIds: string[]): Promise<number> {
    if (jobIds.length === 0) return 0;
    const removed = await Promise.all(jobIds.map((jobId) => queue.remove(jobId)));
    const n = removed.reduce<number>((a, b) => a + b, 0);
    if (n > 0) await this.redis.hincrby(this.recordKey(id), 'cancelled', n);
    return n;
  }

  /** Where the campaign's jobs are now. Reads the job ids with SSCAN and asks their states a thousand at a time. */
  async jobStates(id: string, queue: Queue, now = Date.now()): Promise<CampaignJobStates> {
    const record = await this.get(id);
    this.checkQueue(record, queue);
    const notBefore = record.notBefore ? Date.parse(record.notBefore) : undefined;
    const states: CampaignJobStates = { total: 0, waiting: 0, delayed: { notBefore: 0, paused: 0, retrying: 0 }, active: 0, ended: 0, discarded: 0 };
    for await (const batch of this.places(id, queue)) {
      for (const place of batch) {
        states.total++;
        switch (place.state) {
          case 'waiting':
          case 'active':
            states[place.state]++;
            break;
          case 'delayed':
            // Before the not-before time no dossier of the campaign has been taken, so none is parked or retried.
            if (notBefore !== undefined && notBefore > now) states.delayed.notBefore++;
            else if (record.state === 'paused') states.delayed.paused++;
            else states.delayed.retrying++;
            break;
          case 'discarded':
            states.discarded++;
            break;
          default:
            // Ended in the queue, gone from it, or now another campaign's after this one's ended.
            states.ended++;
        }
      }
    }
    return states;
  }

  /** Recent campaigns, newest first. */
  async list(limit = 20): Promise<CampaignRecord[]> {
    const ids = await this.redis.zrevrange(this.indexKey, 0, Math.max(0, limit - 1));
    const records: CampaignRecord[] = [];
    const expired: string[] = [];
    for (const id of ids) {
      const record = await this.find(id);
      if (record) records.push(record);
      else expired.push(id);
    }
    if (expired.length > 0) await this.redis.zrem(this.indexKey, ...expired);
    return records;
  }

  /** How many jobs the campaign added. */
  async jobCount(id: string): Promise<number> {
    return this.redis.scard(this.jobsKey(id));
  }

  /** The campaign's job ids, a batch at a time (SSCAN: never the whole set in memory). */
  async *jobIds(id: string): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, ids] = await this.redis.sscan(this.jobsKey(id), cursor, 'COUNT', BATCH);
      cursor = next;
      if (ids.length > 0) yield ids;
    } while (cursor !== '0');
  }

  /**
   * The campaign's jobs and their places, a batch at a time, by BullMQ's public API: each
   * job read by id (its campaign, whether it ended and how), then whether it is delayed
   * (a sorted-set lookup) or in the active list (short: one read a batch). A job in
   * neither is waiting, prioritized or not: no job is looked for in the wait list, which
   * would cost a scan of the list per job.
   */
  private async *places(id: string, queue: Queue): AsyncGenerator<JobPlace[]> {
    for await (const ids of this.jobIds(id)) {
      // A job whose hash does not parse was not written by BullMQ for this campaign.
      const jobs = await Promise.all(ids.map((jobId) => queue.getJob(jobId).then((job) => job ?? 'gone' as const, () => 'other' as const)));
      const live = (job: Job | 'gone' | 'other'): job is Job => typeof job !== 'string' && campaignOf(job) === id && !job.finishedOn;
      const active = new Set(await queue.getRanges(['active'], 0, -1));
      const delayed = await Promise.all(jobs.map((job) => (live(job) && !active.has(job.id!) ? job.isDelayed() : false)));
      yield ids.map((jobId, i): JobPlace => {
        const job = jobs[i]!;
        if (typeof job === 'string') return { id: jobId, state: job };
        if (campaignOf(job) !== id) return { id: jobId, state: 'other' };
        if (job.finishedOn) return { id: jobId, state: (job.returnvalue as { status?: unknown } | null)?.status === 'cancelled' ? 'discarded' : 'ended' };
        return { id: jobId, state: active.has(jobId) ? 'active' : delayed[i] ? 'delayed' : 'waiting' };
      });
    }
  }

  private checkQueue(record: CampaignRecord, queue: Queue): void {
    if (queue.name !== queueNameFor(record.scenarioId)) throw new Error(`campaign ${record.id} is in queue ${queueNameFor(record.scenarioId)}, not ${queue.name}`);
  }
}
