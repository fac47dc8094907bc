import type { Queue } from 'bullmq';
import type { Redis, Result } from 'ioredis';
import { z } from 'zod';
import { ProwebError } from '../../core/errors.ts';
import { DEFAULT_PREFIX } from '../queue-options.ts';

/**
 * Why an application is paused for the whole fleet: who saw what, when. Stored as a Redis
 * hash of strings; this schema is its boundary.
 */
export const applicationPauseSchema = z.object({
  applicationId: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** The application's own words (its login error), or the operator's. */
  reason: z.string().min(1),
  /** The robot machine that paused it. */
  machine: z.string().min(1),
  /** The account the application refused, when a refused login paused it. */
  username: z.string().min(1).optional(),
  at: z.iso.datetime(),
});

export type ApplicationPause = z.output<typeof applicationPauseSchema>;

/**
 * A campaign run on this machine cannot go on: an application it needs is paused (a refused
 * login). Its dossiers not done stay queued, none is failed.
 */
export class ApplicationPaused extends ProwebError {
  override name = 'ApplicationPaused';
  constructor(readonly pause: ApplicationPause) {
    super(
      `${pause.applicationId} is paused since ${pause.at}: ${pause.username ? `login refused for ${pause.username}` : 'paused'} on ${pause.machine} (${pause.reason})`,
      `Fix the credentials of ${pause.username ?? 'the robot account'} for ${pause.applicationId} in the configuration, run \`proweb application resume ${pause.applicationId}\`, then run the campaign again: the dossiers not done are still queued.`,
    );
  }
}

/** A dossier a worker parked because its application was paused: resuming wakes it. */
export interface ParkedDossier {
  queueName: string;
  jobId: string;
}

/** First writer wins: a second machine refused too keeps the first one's account of it. Answers [created, hash]. */
const PAUSE = `
local created = 0
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 2))
  redis.call('SADD', KEYS[2], ARGV[1])
  created = 1
end
return {created, redis.call('HGETALL', KEYS[1])}
`;

/** Clears the pause and hands back the dossiers parked under it, in one step: a dossier parked after it is the worker's to wake. */
const RESUME = `
local pause = redis.call('HGETALL', KEYS[1])
local parked = redis.call('SMEMBERS', KEYS[3])
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('SREM', KEYS[2], ARGV[1])
return {pause, parked}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** KEYS: the pause, the paused ids. ARGV: the application id, then the pause's fields and values. */
    prowebApplicationPause(pauseKey: string, indexKey: string, applicationId: string, ...fields: string[]): Result<[number, string[]], Context>;
    /** KEYS: the pause, the paused ids, the parked dossiers. ARGV: the application id. */
    prowebApplicationResume(pauseKey: string, indexKey: string, parkedKey: string, applicationId: string): Result<[string[], string[]], Context>;
  }
}

/** Loads the scripts as named commands (EVALSHA after the first call), once per connection. */
function withCommands(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).prowebApplicationPause !== 'function') {
    redis.defineCommand('prowebApplicationPause', { numberOfKeys: 2, lua: PAUSE });
    redis.defineCommand('prowebApplicationResume', { numberOfKeys: 3, lua: RESUME });
  }
  return redis;
}

/** A flat HGETALL answer as an object. */
const pairs = (flat: readonly string[]): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
};

/**
 * The applications paused for a whole deployment (one `prefix`), in the Redis the fleet
 * shares. A worker whose login an application refuses pauses it; every worker then parks
 * the dossiers that need it instead of trying to log in, so a wrong password costs the
 * account one failed login per machine, not one per dossier and retry. An operator fixes
 * the credentials and resumes it (`proweb application resume`), which wakes the parked
 * dossiers. It does not own the connection.
 *
 * Keys: `<prefix>:application-pause:<id>` (a hash: reason, machine, username, at),
 * `<prefix>:application-pause:<id>:parked` (the dossiers parked under it) and
 * `<prefix>:application-pauses` (the ids paused).
 */
export class ApplicationPauses {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, options: { prefix?: string } = {}) {
    this.redis = withCommands(redis);
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
  }

  private pauseKey(applicationId: string): string {
    return `${this.prefix}:application-pause:${applicationId}`;
  }

  private parkedKey(applicationId: string): string {
    return `${this.prefix}:application-pause:${applicationId}:parked`;
  }

  private get indexKey(): string {
    return `${this.prefix}:application-pauses`;
  }

  /**
   * Pauses an application for the fleet, unless it is paused already: then the first pause
   * stays as it was (its reason, machine and time are what an operator needs).
   * @returns the pause in force, and whether this call made it.
   */
  async pause(applicationId: string, why: Omit<ApplicationPause, 'applicationId'>): Promise<{ pause: ApplicationPause; first: boolean }> {
    const valid = applicationPauseSchema.parse({ ...why, applicationId });
    const fields = Object.entries(valid).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)]));
    const [created, hash] = await this.redis.prowebApplicationPause(this.pauseKey(applicationId), this.indexKey, applicationId, ...fields);
    return { pause: applicationPauseSchema.parse(pairs(hash)), first: created === 1 };
  }

  /**
   * Clears the pause and wakes the dossiers parked under it (promoted to waiting through
   * `queueFor`, which gives the BullMQ queue of a queue name). Resuming an application that
   * is not paused changes nothing.
   * @returns the pause that was cleared, if any, and how many parked dossiers went back to the queue.
   */
  async resume(applicationId: string, queueFor: (queueName: string) => Queue): Promise<{ pause: ApplicationPause | undefined; promoted: number }> {
    const [hash, parked] = await this.redis.prowebApplicationResume(this.pauseKey(applicationId), this.indexKey, this.parkedKey(applicationId), applicationId);
    const found = applicationPauseSchema.safeParse(pairs(hash));
    const dossiers = parked.flatMap((member) => decodeParked(member) ?? []);
    let promoted = 0;
    // A thousand at a time, each read then promoted: one round trip for many, not one per dossier.
    for (let i = 0; i < dossiers.length; i += 1000) {
      const woken = await Promise.all(dossiers.slice(i, i + 1000).map(async ({ queueName, jobId }) => {
        const job = await queueFor(queueName).getJob(jobId).catch(() => undefined);
        // A job no longer delayed (taken meanwhile, removed) needs no waking: BullMQ refuses to promote it.
        return job ? job.promote().then(() => 1, () => 0) : 0;
      }));
      promoted += woken.reduce<number>((a, b) => a + b, 0);
    }
    return { pause: found.success ? found.data : undefined, promoted };
  }

  /** Every paused application, oldest pause first. */
  async list(): Promise<ApplicationPause[]> {
    const ids = await this.redis.smembers(this.indexKey);
    const pauses = await this.pausedAmong(ids);
    // An id whose hash is gone (removed by hand) is no longer paused: forget it.
    const gone = ids.filter((id) => !pauses.some((p) => p.applicationId === id));
    if (gone.length > 0) await this.redis.srem(this.indexKey, ...gone);
    return pauses.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** The pauses in force among these applications, in one round trip (a worker reads them with the rest: {@link pausesLookup}). */
  async pausedAmong(applicationIds: readonly string[]): Promise<ApplicationPause[]> {
    if (applicationIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of applicationIds) pipeline.hgetall(this.pauseKey(id));
    const answers = (await pipeline.exec()) ?? [];
    const pauses: ApplicationPause[] = [];
    for (const [error, hash] of answers) {
      if (error) throw error;
      const parsed = applicationPauseSchema.safeParse(hash);
      if (parsed.success) pauses.push(parsed.data);
    }
    return pauses;
  }

  /**
   * Where {@link pausedAmong} reads, for a caller that reads it in a script of its own with
   * other things (the worker, before each dossier, in one round trip): the hash of each
   * application's pause, in `applicationIds`' order; `read` takes a hash as HGETALL gives it
   * (flat) and returns the pause, or undefined for none (an empty or broken hash).
   */
  pausesLookup(applicationIds: readonly string[]): { keys: string[]; read(flat: readonly string[]): ApplicationPause | undefined } {
    return {
      keys: applicationIds.map((id) => this.pauseKey(id)),
      read: (flat) => {
        const parsed = applicationPauseSchema.safeParse(pairs(flat));
        return parsed.success ? parsed.data : undefined;
      },
    };
  }

  /** Whether the application is paused now. */
  async isPaused(applicationId: string): Promise<boolean> {
    return (await this.redis.exists(this.pauseKey(applicationId))) === 1;
  }

  /** Remembers a dossier parked under the application's pause, for {@link resume} to wake. */
  async noteParked(applicationId: string, dossier: ParkedDossier): Promise<void> {
    await this.redis.sadd(this.parkedKey(applicationId), JSON.stringify([dossier.queueName, dossier.jobId]));
  }
}

const parkedSchema = z.tuple([z.string().min(1), z.string().min(1)]);

/** A member of the parked set (`["dipa-payment","dipa-payment.3f9a…"]`); anything else is skipped. */
function decodeParked(member: string): ParkedDossier | undefined {
  let json: unknown;
  try {
    json = JSON.parse(member);
  } catch {
    return undefined;
  }
  const parsed = parkedSchema.safeParse(json);
  return parsed.success ? { queueName: parsed.data[0], jobId: parsed.data[1] } : undefined;
}
