import { EventEmitter } from 'node:events';
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { TechnicalFailure } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { Ledger, LedgerEntry } from '../gains/index.ts';
import type { DossierOutcome, Robot } from '../runner/index.ts';
import type { Scenario } from '../scenarios/dsl/index.ts';
import { jobPayloadSchema, type JobPayload } from './job-payload.ts';
import { DEFAULT_PREFIX, queueNameFor } from './queue-options.ts';

/** A dossier has ended for good: what the ledger recorded (or already held). */
export interface DossierFinished {
  jobId: string;
  campaignId: string;
  rowNumber: number;
  status: LedgerEntry['status'];
  reference?: string;
  reason?: string;
  /** The ledger already had it done: nothing was entered or recorded this time. */
  alreadyRecorded: boolean;
}

export interface DossierWorkerOptions {
  connection: ConnectionOptions;
  /** @defaultValue 'proweb' */
  prefix?: string;
  robot: Robot;
  ledger: Ledger;
  /** The scenarios this machine may run; one BullMQ worker each. */
  scenarios: readonly Scenario<any>[];
  /** Name of this robot machine, recorded with every dossier. */
  machine: string;
  logger?: Logger;
  /**
   * How long a job stays locked to this machine without a renewal; a machine that died
   * loses its dossiers to the others after about this long. @defaultValue 30_000
   */
  lockDurationMs?: number;
  /** How often this worker looks for dossiers whose machine died. @defaultValue 30_000 */
  stalledIntervalMs?: number;
  /**
   * Campaign states, read before each dossier: a paused campaign's dossiers are parked,
   * a cancelled one's dropped. Without it every campaign is active.
   */
  campaigns?: CampaignStates;
  /** Back-office capacity (rate, sessions, opening hours), asked before each dossier. */
  capacity?: CapacityLimiter;
}

/** What the worker needs to know of campaigns (see `CampaignRegistry`). */
export interface CampaignStates {
  stateOf(campaignId: string): Promise<'active' | 'paused' | 'cancelled' | undefined>;
  /** Records when the campaign's first dossier started (kept once). */
  markStarted(campaignId: string, at: Date): Promise<void>;
}

/** What the worker needs of the back offices' capacity (see `CapacityGate`). */
export interface CapacityLimiter {
  acquire(applicationIds: readonly string[], holder: string): Promise<{ granted: true; release(): Promise<void> } | { granted: false; retryInMs: number; reason: string }>;
}

/**
 * A paused campaign's dossier is parked this long before it is looked at again: `resume`
 * wakes parked dossiers at once, so this only bounds a missed wake-up, and a long
 * parking keeps the fleet from cycling through a paused campaign.
 */
const PAUSED_RECHECK_MS = 3600_000;

/** The value a completed job returns (kept by BullMQ for the dashboard). */
export type JobResult = DossierOutcome | { status: 'done'; reference: string; alreadyRecorded: true } | { status: 'cancelled' };

/**
 * Takes dossiers from the scenarios' queues and runs them on the robot. The ledger is
 * checked before the browser and written after it, exactly once per dossier; a
 * technical failure is thrown back to BullMQ, which retries it with backoff, and is
 * recorded as failed only when no attempt is left.
 */
export class DossierWorker extends EventEmitter<{
  finished: [DossierFinished];
  retrying: [{ jobId: string; attempt: number; error: Error }];
  /** The dossier's campaign was cancelled: dropped, nothing entered or recorded. */
  cancelled: [Pick<DossierFinished, 'jobId' | 'campaignId' | 'rowNumber'>];
}> {
  private readonly workers: Worker[];
  private readonly byId: Map<string, Scenario<any>>;
  private readonly logger: Logger;
  private closing: Promise<void> | undefined;
  /** Set when the grace period ran out: dossiers interrupted now go back to the queue. */
  private handingBack = false;
  private runningNow = 0;
  /** Campaigns whose start this worker has recorded. */
  private readonly started = new Set<string>();

  constructor(private readonly options: DossierWorkerOptions) {
    super();
    this.logger = (options.logger ?? silentLogger).child({ module: 'worker', machine: options.machine });
    this.byId = new Map(options.scenarios.map((s) => [s.id, s]));
    this.workers = options.scenarios.map(
      (scenario) =>
        new Worker<JobPayload, JobResult>(queueNameFor(scenario.id), (job, token) => this.track(job, token), {
          connection: options.connection,
          prefix: options.prefix ?? DEFAULT_PREFIX,
          concurrency: options.robot.concurrency,
          lockDuration: options.lockDurationMs ?? 30_000,
          stalledInterval: options.stalledIntervalMs ?? 30_000,
          // A dossier is retaken after a crash; only a dossier that kills machine after machine fails for good.
          maxStalledCount: 3,
        }),
    );
    for (const worker of this.workers) worker.on('error', (err) => this.logger.error({ err }, 'worker error'));
  }

  /** Resolves once every BullMQ worker is connected and taking jobs. */
  async waitUntilReady(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /** Dossiers this worker is running now. */
  get running(): number {
    return this.runningNow;
  }

  private async track(job: Job<JobPayload, JobResult>, token: string | undefined): Promise<JobResult> {
    const id = job.id ?? '';
    this.runningNow++;
    try {
      return await this.process(job, token);
    } catch (error) {
      if (this.handingBack && !(error instanceof DelayedError)) {
        // Interrupted by the end of the grace period: the dossier goes back to the queue, not
        // counted as an attempt. It is retaken after a lock's duration, as after a crash, so that
        // whatever the browser had already sent has landed when the scenario's guard looks for it.
        this.logger.info({ jobId: id }, 'dossier handed back to the queue');
        await job.moveToDelayed(Date.now() + (this.options.lockDurationMs ?? 30_000), token);
        throw new DelayedError('handed back at shutdown');
      }
      throw error;
    } finally {
      this.runningNow--;
    }
  }

  private async process(job: Job<JobPayload, JobResult>, token: string | undefined): Promise<JobResult> {
    const payload = jobPayloadSchema.parse(job.data);
    const scenario = this.byId.get(payload.scenarioId);
    if (!scenario) throw new TechnicalFailure(`this machine cannot run scenario ${payload.scenarioId}`);
    const log = this.logger.child({ campaign: payload.campaignId, jobId: job.id, rowNumber: payload.rowNumber });
    const base = { jobId: job.id ?? '', campaignId: payload.campaignId, rowNumber: payload.rowNumber };

    const known = (await this.options.ledger.doneAmong(scenario.id, [payload.dossierId])).get(payload.dossierId);
    if (known) {
      log.info({ reference: known.reference }, 'dossier already done; nothing entered');
      this.emit('finished', { ...base, status: 'done', reference: known.reference, alreadyRecorded: true });
      return { status: 'done', reference: known.reference, alreadyRecorded: true };
    }

    if (payload.scenarioVersion !== scenario.version) {
      log.warn({ submitted: payload.scenarioVersion, running: scenario.version }, 'dossier submitted with another scenario version');
    }
    const entry = {
      campaignId: payload.campaignId, scenarioId: scenario.id, scenarioVersion: scenario.version, caisse: payload.caisse,
      machine: this.options.machine, dossierId: payload.dossierId, rowNumber: payload.rowNumber, attempts: job.attemptsMade + 1,
    };

    // The row was valid at submission; parsing again keeps the worker's own boundary typed, and
    // catches a row that the scenario version running here no longer accepts: retrying cannot help.
    const parsed = scenario.input.safeParse(payload.raw);
    if (!parsed.success) {
      const reason = `row ${payload.rowNumber} is not valid for ${scenario.id} v${scenario.version}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      await this.failedForGood(scenario, entry, base, reason);
      throw new UnrecoverableError(reason);
    }
    const row = parsed.data;

    const campaignState = await this.options.campaigns?.stateOf(payload.campaignId);
    if (campaignState === 'cancelled') {
      log.info('campaign cancelled; dossier dropped');
      this.emit('cancelled', { ...base });
      return { status: 'cancelled' };
    }
    if (campaignState === 'paused') {
      await job.moveToDelayed(Date.now() + PAUSED_RECHECK_MS, token);
      // A resume between the read above and the parking could not wake this dossier: wake it here.
      if ((await this.options.campaigns?.stateOf(payload.campaignId)) !== 'paused') await job.promote().catch(() => undefined);
      throw new DelayedError('campaign paused');
    }

    const permit = await this.options.capacity?.acquire(scenario.applications.map((a) => a.id), job.id ?? payload.dossierId);
    if (permit && !permit.granted) {
      log.debug({ reason: permit.reason, retryInMs: permit.retryInMs }, 'back office at capacity; dossier waits');
      // Spread the dossiers refused together, so that they do not all come back at the same instant.
      const jitterMs = Math.floor(Math.random() * Math.min(1_000, permit.retryInMs / 10));
      await job.moveToDelayed(Date.now() + permit.retryInMs + jitterMs, token);
      throw new DelayedError(permit.reason);
    }
    try {
      if (this.options.campaigns && !this.started.has(payload.campaignId)) {
        // Kept once per campaign: a round trip for its first dossier here, not for each of them.
        await this.options.campaigns.markStarted(payload.campaignId, new Date());
        if (this.started.size >= 1000) this.started.clear();
        this.started.add(payload.campaignId);
      }
      return await this.enter(job, scenario, row, payload, entry, base, log);
    } finally {
      if (permit?.granted) await permit.release();
    }
  }

  private async enter(
    job: Job<JobPayload, JobResult>, scenario: Scenario<any>, row: Record<string, unknown>, payload: JobPayload,
    entry: Omit<LedgerEntry, 'status' | 'manualMinutesSaved' | 'robotMs' | 'finishedAt'>, base: Pick<DossierFinished, 'jobId' | 'campaignId' | 'rowNumber'>, log: Logger,
  ): Promise<JobResult> {
    if (payload.dryRun) return this.dryRun(scenario, row, payload, base);

    let outcome: DossierOutcome;
    try {
      outcome = await this.options.robot.run(scenario, row, { dossierId: payload.dossierId });
    } catch (error) {
      if (this.handingBack) throw error;
      const attempts = job.opts.attempts ?? 1;
      const failure = error instanceof Error ? error : new Error(String(error));
      // What the robot kept (screenshot, HTML) is listed on the job, for the dashboard and the work list.
      for (const path of failure instanceof TechnicalFailure ? failure.evidence : []) await job.log(`evidence: ${path}`);
      if (job.attemptsMade + 1 < attempts) {
        this.emit('retrying', { jobId: base.jobId, attempt: job.attemptsMade + 1, error: failure });
        throw failure;
      }
      const reason = failure.message;
      await this.failedForGood(scenario, entry, base, reason);
      throw failure;
    }

    const recorded = await this.options.ledger.record({
      ...entry,
      status: outcome.status,
      ...(outcome.status === 'done' ? { reference: outcome.reference, alreadyEntered: outcome.alreadyEntered } : { reason: outcome.reason }),
      manualMinutesSaved: outcome.status === 'done' ? scenario.manualMinutes : 0,
      robotMs: outcome.robotMs,
      finishedAt: new Date().toISOString(),
    });
    this.emit('finished', {
      ...base,
      status: outcome.status,
      ...(outcome.status === 'done' ? { reference: outcome.reference } : { reason: outcome.reason }),
      alreadyRecorded: !recorded.recorded,
    });
    return outcome;
  }

  /** Records a dossier that no attempt will save: it goes to a person, who redoes it, at the scenario's rework cost. */
  private async failedForGood(
    scenario: Scenario<any>, entry: Omit<LedgerEntry, 'status' | 'manualMinutesSaved' | 'robotMs' | 'finishedAt'>,
    base: Pick<DossierFinished, 'jobId' | 'campaignId' | 'rowNumber'>, reason: string,
  ): Promise<void> {
    await this.options.ledger.record({ ...entry, status: 'failed', reason, manualMinutesSaved: 0, reworkMinutes: scenario.reworkMinutes ?? 0, robotMs: 0, finishedAt: new Date().toISOString() });
    this.emit('finished', { ...base, status: 'failed', reason, alreadyRecorded: false });
  }

  /** A dry run: the robot does every step but the commit; the ledger is not touched. */
  private async dryRun(scenario: Scenario<any>, row: Record<string, unknown>, payload: JobPayload, base: Pick<DossierFinished, 'jobId' | 'campaignId' | 'rowNumber'>): Promise<JobResult> {
    try {
      const outcome = await this.options.robot.run(scenario, row, { dossierId: payload.dossierId, dryRun: true });
      this.emit('finished', { ...base, status: outcome.status, ...(outcome.status === 'done' ? { reference: outcome.reference } : { reason: outcome.reason }), alreadyRecorded: false });
      return outcome;
    } catch (error) {
      // A dry run reports a failure at once: retrying a trial teaches nothing new.
      const reason = (error as Error).message;
      this.emit('finished', { ...base, status: 'failed', reason, alreadyRecorded: false });
      throw new UnrecoverableError(reason);
    }
  }

  /**
   * Stops taking jobs, lets the running ones finish, then disconnects. Idempotent.
   * With `gracePeriodMs`, dossiers still running when it ends are interrupted by
   * `interrupt` (closing the robot's browser) and handed back to the queue, where
   * another machine takes them: nothing is lost, and the guard sees what was sent.
   */
  close(options: { gracePeriodMs?: number; interrupt?: () => Promise<void> } = {}): Promise<void> {
    this.closing ??= (async () => {
      const draining = Promise.all(this.workers.map((w) => w.close())).then(() => undefined);
      if (options.gracePeriodMs === undefined) return draining;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), options.gracePeriodMs)));
      const first = await Promise.race([draining, expired]);
      clearTimeout(timer);
      if (first === 'expired') {
        this.logger.warn({ running: this.runningNow, gracePeriodMs: options.gracePeriodMs }, 'grace period over; handing the running dossiers back');
        this.handingBack = true;
        await options.interrupt?.();
        await draining;
      }
    })();
    return this.closing;
  }
}
