import { EventEmitter } from 'node:events';
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
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
}

/** The value a completed job returns (kept by BullMQ for the dashboard). */
export type JobResult = DossierOutcome | { status: 'done'; reference: string; alreadyRecorded: true };

/**
 * Takes dossiers from the scenarios' queues and runs them on the robot. The ledger is
 * checked before the browser and written after it, exactly once per dossier; a
 * technical failure is thrown back to BullMQ, which retries it with backoff, and is
 * recorded as failed only when no attempt is left.
 */
export class DossierWorker extends EventEmitter<{ finished: [DossierFinished]; retrying: [{ jobId: string; attempt: number; error: Error }] }> {
  private readonly workers: Worker[];
  private readonly byId: Map<string, Scenario<any>>;
  private readonly logger: Logger;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: DossierWorkerOptions) {
    super();
    this.logger = (options.logger ?? silentLogger).child({ module: 'worker', machine: options.machine });
    this.byId = new Map(options.scenarios.map((s) => [s.id, s]));
    this.workers = options.scenarios.map(
      (scenario) =>
        new Worker<JobPayload, JobResult>(queueNameFor(scenario.id), (job) => this.process(job), {
          connection: options.connection,
          prefix: options.prefix ?? DEFAULT_PREFIX,
          concurrency: options.robot.concurrency,
        }),
    );
    for (const worker of this.workers) worker.on('error', (err) => this.logger.error({ err }, 'worker error'));
  }

  /** Resolves once every BullMQ worker is connected and taking jobs. */
  async waitUntilReady(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  private async process(job: Job<JobPayload, JobResult>): Promise<JobResult> {
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
    // A dossier that fails for good goes to a person, who redoes it: that costs the scenario's rework.
    const reworkMinutes = scenario.reworkMinutes ?? 0;
    const entry = {
      campaignId: payload.campaignId, scenarioId: scenario.id, scenarioVersion: scenario.version, caisse: payload.caisse,
      machine: this.options.machine, dossierId: payload.dossierId, rowNumber: payload.rowNumber, attempts: job.attemptsMade + 1,
    };

    // The row was valid at submission; parsing again keeps the worker's own boundary typed, and
    // catches a row that the scenario version running here no longer accepts: retrying cannot help.
    const parsed = scenario.input.safeParse(payload.raw);
    if (!parsed.success) {
      const reason = `row ${payload.rowNumber} is not valid for ${scenario.id} v${scenario.version}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      await this.options.ledger.record({ ...entry, status: 'failed', reason, manualMinutesSaved: 0, reworkMinutes, robotMs: 0, finishedAt: new Date().toISOString() });
      this.emit('finished', { ...base, status: 'failed', reason, alreadyRecorded: false });
      throw new UnrecoverableError(reason);
    }
    const row = parsed.data;

    if (payload.dryRun) return this.dryRun(scenario, row, payload, base);

    let outcome: DossierOutcome;
    try {
      outcome = await this.options.robot.run(scenario, row, { dossierId: payload.dossierId });
    } catch (error) {
      const attempts = job.opts.attempts ?? 1;
      const failure = error instanceof Error ? error : new Error(String(error));
      if (job.attemptsMade + 1 < attempts) {
        this.emit('retrying', { jobId: base.jobId, attempt: job.attemptsMade + 1, error: failure });
        throw failure;
      }
      const reason = failure.message;
      await this.options.ledger.record({ ...entry, status: 'failed', reason, manualMinutesSaved: 0, reworkMinutes, robotMs: 0, finishedAt: new Date().toISOString() });
      this.emit('finished', { ...base, status: 'failed', reason, alreadyRecorded: false });
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

  /** Stops taking jobs, lets the running ones finish, then disconnects. Idempotent. */
  close(): Promise<void> {
    this.closing ??= Promise.all(this.workers.map((w) => w.close())).then(() => undefined);
    return this.closing;
  }
}
