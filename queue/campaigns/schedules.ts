import { isAbsolute, resolve } from 'node:path';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { z } from 'zod';
import { ProwebError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { DeploymentSecret } from '../../core/secret.ts';
import type { Ledger } from '../../gains/index.ts';
import type { AnyScenario } from '../../scenarios/dsl/index.ts';
import type { CampaignSubmission } from './campaign.ts';
import type { CampaignRegistry } from './campaign-registry.ts';
import { DropFolders, OutsideDropFolders } from './drop-folders.ts';
import { submitRegisteredCampaign } from './enqueue.ts';
import { DEFAULT_PREFIX, queueNameFor } from '../queue-options.ts';

/** The queue of scheduled file drops: one job per occurrence, whichever machine takes it. */
export const DROPS_QUEUE = 'campaign-drops';

/** What a scheduled drop submits at each occurrence. */
export const dropSchema = z.object({
  scenarioId: z.string().min(1),
  /**
   * Absolute path of the file the night's export lands in, on a folder every robot machine sees.
   * Read from Redis: a robot reads it only inside its own configured drop folders.
   */
  file: z.string().refine(isAbsolute, { error: 'must be an absolute path' }),
  caisse: z.string().min(1),
  priority: z.number().int().min(1).max(2_097_152).optional(),
});
export type Drop = z.output<typeof dropSchema>;

/** A repeatable campaign: a name, a cron pattern in a time zone, and what it submits. */
export interface Schedule extends Drop {
  name: string;
  cron: string;
  timezone: string;
  /** Next occurrence, if BullMQ has planned one. */
  next?: Date;
}

/** A schedule that cannot be created as given. */
export class InvalidSchedule extends ProwebError {
  override name = 'InvalidSchedule';
}

const NAME = /^[\w-]{1,64}$/;

/**
 * Repeatable campaigns on BullMQ's job schedulers: each occurrence queues one job on
 * {@link DROPS_QUEUE}; a {@link DropSubmitter} (every `proweb worker` runs one) takes
 * it and submits the file as a campaign. Submitting a file already processed enters
 * nothing, so an occurrence that finds yesterday's file again is harmless.
 */
export class Schedules {
  private readonly queue: Queue;
  private readonly dropFolders: DropFolders;

  /** @param options.dropFolders the configuration's `folders.drops`: a schedule's file must lie in one. */
  constructor(connection: ConnectionOptions, options: { prefix?: string; dropFolders?: readonly string[] } = {}) {
    this.queue = new Queue(DROPS_QUEUE, { connection, prefix: options.prefix ?? DEFAULT_PREFIX });
    this.dropFolders = new DropFolders(options.dropFolders ?? []);
  }

  /**
   * Creates or replaces a schedule.
   *
   * @throws {@link InvalidSchedule}, or {@link OutsideDropFolders} when the file is not inside a drop folder.
   */
  async set(schedule: Omit<Schedule, 'next'>, scenarios: ReadonlyMap<string, AnyScenario>): Promise<Schedule> {
    if (!NAME.test(schedule.name)) throw new InvalidSchedule(`schedule name "${schedule.name}" is not valid`, 'Use letters, digits, - and _ (64 at most).');
    if (!scenarios.has(schedule.scenarioId)) throw new InvalidSchedule(`unknown scenario "${schedule.scenarioId}"`, `Known scenarios: ${[...scenarios.keys()].join(', ')}.`);
    try {
      new Intl.DateTimeFormat('fr-FR', { timeZone: schedule.timezone });
    } catch {
      throw new InvalidSchedule(`unknown time zone "${schedule.timezone}"`, 'Use an IANA name such as Europe/Paris.');
    }
    // Checked here for the operator's sake; the robots check again, since Redis can be written to by others.
    const file = await this.dropFolders.resolve(resolve(schedule.file));
    const drop = dropSchema.parse({
      scenarioId: schedule.scenarioId, file, caisse: schedule.caisse, ...(schedule.priority !== undefined ? { priority: schedule.priority } : {}),
    });
    try {
      await this.queue.upsertJobScheduler(schedule.name, { pattern: schedule.cron, tz: schedule.timezone }, { name: 'drop', data: drop, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } });
    } catch (cause) {
      throw new InvalidSchedule(`cron pattern "${schedule.cron}" is not valid: ${(cause as Error).message}`, 'Write minute hour day-of-month month day-of-week, e.g. "30 2 * * 1-5" for 02:30 on weekdays.', { cause });
    }
    return (await this.get(schedule.name))!;
  }

  async get(name: string): Promise<Schedule | undefined> {
    const found = await this.queue.getJobScheduler(name);
    return found ? scheduleOf(found) : undefined;
  }

  /** Every schedule, next occurrence first. */
  async list(): Promise<Schedule[]> {
    const all = await this.queue.getJobSchedulers(0, -1, true);
    return all.map(scheduleOf).filter((s): s is Schedule => s !== undefined);
  }

  /** Removes a schedule; false if there was none of that name. */
  remove(name: string): Promise<boolean> {
    return this.queue.removeJobScheduler(name);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

function scheduleOf(json: { key: string; id?: string | null; pattern?: string; tz?: string; next?: number; template?: { data?: unknown } }): Schedule | undefined {
  const drop = dropSchema.safeParse(json.template?.data);
  if (!drop.success || !json.pattern) return undefined;
  return { name: json.id ?? json.key, cron: json.pattern, timezone: json.tz ?? 'UTC', ...drop.data, ...(json.next ? { next: new Date(json.next) } : {}) };
}

export interface DropSubmitterOptions {
  connection: ConnectionOptions;
  /** @defaultValue 'proweb' */
  prefix?: string;
  ledger: Ledger;
  registry: CampaignRegistry;
  scenarios: ReadonlyMap<string, AnyScenario>;
  /** Keys the dossier ids and seals the rows of the campaigns the drops submit. */
  secret: DeploymentSecret;
  /**
   * This machine's `folders.drops`: a drop whose file is not inside one fails without being read,
   * whatever Redis says. None = every drop fails.
   */
  dropFolders: readonly string[];
  /** This machine's `folders.rejections`; unset = a drop's rejection file goes next to it, in its drop folder. */
  rejectionsFolder?: string;
  /** Recorded as the submitting machine. */
  machine: string;
  logger?: Logger;
  /** Called with each campaign a drop submitted. */
  onSubmitted?: (submission: CampaignSubmission, schedule: string) => void;
}

/** Takes the scheduled drops' occurrences and submits each file as a campaign for the fleet. */
export class DropSubmitter {
  private readonly worker: Worker<Drop, { campaignId: string; queued: number }>;
  private readonly logger: Logger;
  private readonly dropFolders: DropFolders;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: DropSubmitterOptions) {
    this.dropFolders = new DropFolders(options.dropFolders);
    this.logger = (options.logger ?? silentLogger).child({ module: 'drops' });
    this.worker = new Worker(DROPS_QUEUE, (job) => this.submit(job), { connection: options.connection, prefix: options.prefix ?? DEFAULT_PREFIX, concurrency: 1 });
    this.worker.on('error', (err) => this.logger.error({ err }, 'drop submitter error'));
  }

  waitUntilReady(): Promise<unknown> {
    return this.worker.waitUntilReady();
  }

  private async submit(job: Job<Drop>): Promise<{ campaignId: string; queued: number }> {
    const drop = dropSchema.parse(job.data);
    const schedule = job.repeatJobKey ?? job.name;
    const scenario = this.options.scenarios.get(drop.scenarioId);
    // Neither can get better by retrying the same occurrence: it fails at once, visible on the dashboard.
    if (!scenario) throw new UnrecoverableError(`scheduled drop ${schedule}: this machine does not know scenario ${drop.scenarioId}`);
    let file: string;
    try {
      file = await this.dropFolders.resolveExisting(drop.file);
    } catch (error) {
      if (error instanceof OutsideDropFolders) {
        this.logger.warn({ schedule, file: drop.file }, 'scheduled drop refused: its file is outside the drop folders');
        throw new UnrecoverableError(`scheduled drop ${schedule}: ${error.message}. ${error.hint}`);
      }
      throw new UnrecoverableError(`scheduled drop ${schedule}: no file at ${drop.file} (the export did not land, or this machine does not see the shared folder)`);
    }
    const queue = new Queue(queueNameFor(scenario.id), { connection: this.options.connection, prefix: this.options.prefix ?? DEFAULT_PREFIX });
    try {
      const submission = await submitRegisteredCampaign({
        queue, ledger: this.options.ledger, registry: this.options.registry, scenario, file, caisse: drop.caisse, machine: this.options.machine, secret: this.options.secret,
        ...(drop.priority !== undefined ? { priority: drop.priority } : {}),
        ...(this.options.rejectionsFolder ? { rejectionsFolder: this.options.rejectionsFolder } : {}),
      });
      this.logger.info({ schedule, campaign: submission.campaignId, rows: submission.rows, queued: submission.jobIds.length, alreadyDone: submission.alreadyDone }, 'scheduled drop submitted');
      this.options.onSubmitted?.(submission, schedule);
      return { campaignId: submission.campaignId, queued: submission.jobIds.length };
    } finally {
      await queue.close();
    }
  }

  /** Lets a submission in progress finish, then disconnects. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.worker.close();
    return this.closing;
  }
}
