import { EventEmitter } from 'node:events';
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { LoginRefused, ManualCheckNeeded, OutcomeUnknown, OwnershipLost, ProwebError, TechnicalFailure } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { scrubber, type Scrubber } from '../../core/personal-data.ts';
import type { DeploymentSecret } from '../../core/secret.ts';
import type { DoneRecord, Ledger, LedgerEntry } from '../../gains/index.ts';
import type { DossierOutcome, Robot } from '../../runner/index.ts';
import type { Scenario } from '../../scenarios/dsl/index.ts';
import type { ApplicationPause, ApplicationPauses } from './application-pauses.ts';
import { AttemptLocks, type Attempt } from './attempt-locks.ts';
import { CommitClaims } from './commit-claims.ts';
import { readDossierStart, type DossierStart } from './dossier-start.ts';
import { jobIdOfDossier } from '../campaigns/dossier-id.ts';
import { jobFieldsOf, JobRefused, openJobPayload, type JobFields } from '../campaigns/job-payload.ts';
import { DEFAULT_PREFIX, queueNameFor } from '../queue-options.ts';
import { createRedis } from '../redis/redis-connection.ts';

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
  /**
   * The robot entered it now although the ledger had it done with another reference: the
   * application may hold it twice. Logged as an error and counted in the campaign's status.
   */
  possibleDuplicate?: boolean;
}

/**
 * A worker's collaborators. The ledger, the campaign registry and the application pauses must
 * live on the Redis of `connection`: before each dossier the worker reads their keys (which they
 * name) in one script on its own connection, so one on another Redis would be read as empty.
 */
export interface DossierWorkerOptions {
  connection: ConnectionOptions;
  /** @defaultValue 'proweb' */
  prefix?: string;
  robot: Robot;
  ledger: Ledger;
  /**
   * The deployment secret: a job whose row it does not open (not sealed by this deployment,
   * or changed since) is refused before anything runs.
   */
  secret: DeploymentSecret;
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
   * a cancelled one's dropped, and a job of a campaign it does not know is refused. Without
   * it every campaign is active.
   */
  campaigns?: CampaignStates;
  /** Back-office capacity (rate, sessions, opening hours), asked before each dossier. */
  capacity?: CapacityLimiter;
  /**
   * Applications paused for the fleet, read before each dossier: a dossier needing a paused
   * one is parked, and a login the application refuses pauses it. Without it a refused login
   * fails its dossier at once (the robot tries no other login to that application).
   */
  applicationPauses?: ApplicationPauses;
}

/** What the worker needs to know of campaigns (see `CampaignRegistry`). */
export interface CampaignStates {
  stateOf(campaignId: string): Promise<'active' | 'paused' | 'cancelled' | undefined>;
  /** Where {@link stateOf} reads: the worker reads it with the rest before a dossier, in one round trip. */
  stateLookup(campaignId: string): { key: string; field: string; read(value: string | null): 'active' | 'paused' | 'cancelled' | undefined };
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

/** A job refused before anything ran (see {@link JobRefused}). */
export interface JobRefusal {
  jobId: string;
  queueName: string;
  reason: string;
}

/** The masking of what one job hands out: the patterns, then the dossier's own values once its row is read. */
interface JobScrubbing {
  scrub: Scrubber;
}

/**
 * Takes dossiers from the scenarios' queues and runs them on the robot. The ledger is
 * checked before the browser and written after it, exactly once per dossier; a
 * technical failure is thrown back to BullMQ, which retries it with backoff, and is
 * recorded as failed only when no attempt is left.
 *
 * It is the robot's boundary with Redis, both ways. In: a job is opened with the
 * deployment secret first, and one that does not open, or of a campaign this deployment
 * does not know, is refused: nothing run, entered or recorded. Out: every error handed to
 * BullMQ (its failed reason and stack), every value returned, every reason written to the
 * ledger or emitted goes through the dossier's scrubber; and once a dossier ends, its
 * sealed row is removed from the job, so Redis keeps no input row of a finished dossier.
 */
export class DossierWorker extends EventEmitter<{
  finished: [DossierFinished];
  retrying: [{ jobId: string; attempt: number; error: Error }];
  /** The dossier's campaign was cancelled: dropped, nothing entered or recorded. */
  cancelled: [Pick<DossierFinished, 'jobId' | 'campaignId' | 'rowNumber'>];
  /** This machine's login was refused: the application is paused for the fleet (`first`: by this call). Once per pause. */
  applicationPaused: [ApplicationPause & { first: boolean; jobId: string }];
  /** A job was refused before anything ran: not sealed by this deployment, changed, or of an unknown campaign. */
  refused: [JobRefusal];
}> {
  private readonly workers: Worker[];
  /** The Redis connection of the reads before a dossier, the attempt locks and the commit claims (BullMQ keeps its own). */
  private readonly redis: Redis;
  private readonly claims: CommitClaims;
  private readonly attempts: AttemptLocks;
  /**
   * Running dossiers by job id, with their attempt: their attempt lock is renewed when BullMQ has
   * renewed the job's, and their robot aborted when either could not be.
   */
  private readonly owned = new Map<string, { controller: AbortController; attempt: Attempt }>();
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
    const { connection } = options;
    this.redis = connection instanceof Redis ? connection.duplicate() : createRedis(connection as Parameters<typeof createRedis>[0]);
    this.redis.on('error', (err) => this.logger.debug({ err }, 'commit claims connection error'));
    const locking = { prefix: options.prefix ?? DEFAULT_PREFIX, lockDurationMs: options.lockDurationMs ?? 30_000 };
    this.claims = new CommitClaims(this.redis, locking);
    this.attempts = new AttemptLocks(this.redis, locking);
    this.workers = options.scenarios.map(
      (scenario) =>
        new Worker<unknown, JobResult>(queueNameFor(scenario.id), (job, token) => this.track(job, token), {
          connection: options.connection,
          prefix: options.prefix ?? DEFAULT_PREFIX,
          concurrency: options.robot.concurrency,
          lockDuration: locking.lockDurationMs,
          stalledInterval: options.stalledIntervalMs ?? 30_000,
          // A dossier is retaken after a crash; only a dossier that kills machine after machine fails for good.
          maxStalledCount: 3,
        }),
    );
    for (const worker of this.workers) {
      worker.on('error', (err) => this.logger.error({ err }, 'worker error'));
      // Another machine may take these dossiers over: their robots stop at the next step, and the
      // commit claim (checked against the attempt lock in Redis) keeps them from clicking in any case.
      worker.on('lockRenewalFailed', (jobIds) => {
        for (const id of jobIds) this.owned.get(id)?.controller.abort('the queue lock could not be renewed');
        this.logger.warn({ jobIds }, 'lock renewal failed; those dossiers stop before their next step');
      });
      // The attempt locks follow BullMQ's: renewed once it has renewed the jobs' own.
      worker.on('locksRenewed', ({ jobIds }) => void this.renewAttempts(jobIds));
    }
  }

  /** Resolves once every BullMQ worker is connected and taking jobs. */
  async waitUntilReady(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /** Dossiers this worker is running now. */
  get running(): number {
    return this.runningNow;
  }

  private async track(job: Job<unknown, JobResult>, token: string | undefined): Promise<JobResult> {
    const id = job.id ?? '';
    this.runningNow++;
    // Until the row is read, only the patterns are known; then the dossier's own values too.
    const scrubbing: JobScrubbing = { scrub: scrubber };
    try {
      return await this.process(job, token, scrubbing);
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      if (this.handingBack) {
        // Interrupted by the end of the grace period: the dossier goes back to the queue, not
        // counted as an attempt. It is retaken after a lock's duration, as after a crash, so that
        // whatever the browser had already sent has landed when the scenario's guard looks for it.
        this.logger.info({ jobId: id }, 'dossier handed back to the queue');
        await job.moveToDelayed(Date.now() + this.attempts.durationMs, token);
        throw new DelayedError('handed back at shutdown');
      }
      // BullMQ keeps the message as the job's failed reason and the stack as its stacktrace.
      throw scrubbing.scrub.error(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.runningNow--;
    }
  }

  private async process(job: Job<unknown, JobResult>, token: string | undefined, scrubbing: JobScrubbing): Promise<JobResult> {
    // First of all, before anything is read from it: is this job one this deployment sealed?
    const opened = openJobPayload(job.data, this.options.secret);
    if (!opened.ok) {
      const ended = opened.rowRemoved && opened.fields ? await this.endWithoutRow(job, opened.fields) : undefined;
      if (ended) return ended;
      // Nothing of a job that does not open is kept, not even its fields: a stranger wrote them.
      throw await this.refuse(job, opened.reason, undefined);
    }
    const payload = opened.fields;
    // The seal covers the fields, not where the job sits: a sealed job copied under another id or queue is not ours either.
    const [jobId, queueName] = [jobIdOfDossier(payload), queueNameFor(payload.scenarioId)];
    if (job.id !== jobId || job.queueName !== queueName) {
      throw await this.refuse(job, `its id or queue is not the one its fields give (${jobId} in ${queueName}): it was copied`, payload);
    }
    // The row's own cells are masked in whatever this job hands out, even if the row does not parse.
    scrubbing.scrub = scrubber.with(Object.values(opened.raw));
    const scenario = this.byId.get(payload.scenarioId);
    if (!scenario) throw new TechnicalFailure(`this machine cannot run scenario ${payload.scenarioId}`);
    const log = this.logger.child({ campaign: payload.campaignId, jobId: job.id, rowNumber: payload.rowNumber });
    const base = { jobId, campaignId: payload.campaignId, rowNumber: payload.rowNumber };

    // The campaign's state, the applications' pauses and the ledger, read in one round trip.
    const start = await this.readStart(scenario, payload, jobId, token);
    // A campaign the registry does not know was never submitted here (or was forgotten): not run as if active.
    const campaignState = this.options.campaigns ? start.campaign : 'active';
    if (campaignState === undefined) throw await this.refuse(job, `its campaign ${payload.campaignId} is not known to this deployment`, payload);

    const known = start.done;
    if (known) {
      log.info({ reference: known.reference }, 'dossier already done; nothing entered');
      await this.ended(job, payload, log);
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
    const parsed = scenario.input.safeParse(opened.raw);
    if (!parsed.success) {
      const reason = scrubbing.scrub.text(`row ${payload.rowNumber} is not valid for ${scenario.id} v${scenario.version}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      await this.failedForGood(job, payload, scenario, entry, base, reason, log);
      throw new UnrecoverableError(reason);
    }
    const row = parsed.data;
    // Parsed, the row says which of its values are personal: those are masked, and the patterns.
    scrubbing.scrub = scenario.scrubberFor(row);

    if (campaignState === 'cancelled') {
      log.info('campaign cancelled; dossier dropped');
      await this.ended(job, payload, log);
      this.emit('cancelled', { ...base });
      return { status: 'cancelled' };
    }
    if (campaignState === 'paused') {
      await job.moveToDelayed(Date.now() + PAUSED_RECHECK_MS, token);
      // A resume between the read above and the parking could not wake this dossier: wake it here.
      if ((await this.options.campaigns?.stateOf(payload.campaignId)) !== 'paused') await job.promote().catch(() => undefined);
      throw new DelayedError('campaign paused');
    }
    await this.parkIfApplicationPaused(job, token, scenario, start.paused, log);

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
      return await this.enter(job, token, scenario, row, payload, entry, base, log, scrubbing.scrub);
    } finally {
      if (permit?.granted) await permit.release();
    }
  }

  /**
   * A dossier's row is removed just before BullMQ completes its job: a Redis failover or crash
   * between the two (the completion lost, the removal kept) brings the job back without its row.
   * Its dossier ended in the ledger (done, or rejected or failed for good in its campaign's work
   * list), the job ends as recorded: nothing run, entered nor recorded again.
   * @returns what the job returns, or undefined when its dossier has not ended (the job is refused).
   * @throws UnrecoverableError for a dossier recorded failed for good.
   */
  private async endWithoutRow(job: Job<unknown, JobResult>, fields: JobFields): Promise<JobResult | undefined> {
    // Only the job its fields name: fields moved to another job say nothing of that job's dossier.
    const jobId = jobIdOfDossier(fields);
    if (job.id !== jobId) return undefined;
    const base = { jobId, campaignId: fields.campaignId, rowNumber: fields.rowNumber, alreadyRecorded: true };
    const done = (await this.options.ledger.doneAmong(fields.scenarioId, [fields.dossierId])).get(fields.dossierId);
    if (done) {
      this.logger.info({ jobId, reference: done.reference }, 'job back without its row, its dossier done: completed, nothing entered');
      this.emit('finished', { ...base, status: 'done', reference: done.reference });
      return { status: 'done', reference: done.reference, alreadyRecorded: true };
    }
    const recorded = (await this.options.ledger.campaignWorkList(fields.campaignId))?.find((e) => e.dossierId === fields.dossierId);
    if (!recorded || (recorded.status !== 'rejected' && recorded.status !== 'failed')) return undefined;
    const reason = recorded.reason ?? recorded.status;
    this.logger.info({ jobId, status: recorded.status }, 'job back without its row, its dossier ended: ended as recorded, nothing entered');
    this.emit('finished', { ...base, status: recorded.status, reason });
    if (recorded.status === 'failed') throw new UnrecoverableError(reason);
    return { status: 'rejected', reason, robotMs: 0 };
  }

  /**
   * What is read before a dossier runs, in one round trip: the campaign's state, the pauses of
   * the scenario's applications and the dossier's done record; and this attempt's lock, taken.
   */
  private async readStart(scenario: Scenario<any>, payload: JobFields, jobId: string, token: string | undefined): Promise<DossierStart<'active' | 'paused' | 'cancelled' | undefined, ApplicationPause, DoneRecord>> {
    const applicationIds = scenario.applications.map((a) => a.id);
    const noPauses = { keys: [], read: () => undefined };
    return readDossierStart(this.redis, {
      attempt: { key: this.attempts.keyOf(jobId), token, durationMs: this.attempts.durationMs },
      campaign: this.options.campaigns?.stateLookup(payload.campaignId),
      pauses: this.options.applicationPauses?.pausesLookup(applicationIds) ?? noPauses,
      done: await this.options.ledger.doneLookup(scenario.id, payload.dossierId),
    });
  }

  /**
   * BullMQ has renewed these jobs' locks: renews their attempt locks, and stops (at their next
   * step) the robots of those whose attempt lock is another attempt's now, or gone.
   */
  private async renewAttempts(jobIds: readonly string[]): Promise<void> {
    const running = jobIds.flatMap((id) => {
      const owned = this.owned.get(id);
      // A job run without a token took no attempt lock: nothing to renew.
      return owned && owned.attempt.token !== '' ? [owned.attempt] : [];
    });
    try {
      const lost = await this.attempts.renew(running);
      for (const { jobId } of lost) this.owned.get(jobId)?.controller.abort('the attempt lock was lost');
      if (lost.length > 0) this.logger.warn({ jobIds: lost.map((a) => a.jobId) }, 'attempt lock lost; those dossiers stop before their next step');
    } catch (error) {
      // Not renewed: the locks expire a lock duration after the last renewal, and the claim refuses the click then.
      this.logger.warn({ err: scrubber.error(error) }, 'could not renew the attempt locks');
    }
  }

  /**
   * Refuses a job before anything ran: says so in the log (an error: someone wrote to the
   * queue who should not, or machines disagree on the secret), removes its row, and gives
   * the error that fails it for good. What the data held is never logged: it is not ours.
   * @returns the UnrecoverableError to throw.
   */
  private async refuse(job: Job<unknown, JobResult>, reason: string, fields: JobFields | undefined): Promise<UnrecoverableError> {
    // The job id and the reason may quote what a stranger wrote: masked like any text going out.
    const refusal = new JobRefused(scrubber.text(job.id ?? ''), scrubber.text(reason));
    this.logger.error({ jobId: refusal.jobId, queue: job.queueName, reason: refusal.reason, hint: refusal.hint }, refusal.message);
    await this.ended(job, fields, this.logger);
    this.emit('refused', { jobId: job.id ?? '', queueName: job.queueName, reason: refusal.reason });
    return new UnrecoverableError(refusal.message);
  }

  /**
   * The dossier has ended (done, rejected, failed for good, cancelled, refused): its job keeps
   * its fields for the dashboard and the work list, never its row. A refused job whose data
   * was not a payload keeps nothing.
   */
  private async ended(job: Job<unknown, JobResult>, fields: JobFields | undefined, log: Logger): Promise<void> {
    try {
      await job.updateData(fields ? jobFieldsOf(fields) : {});
    } catch (error) {
      // The job may be gone (removed by a cancellation): nothing left to clean.
      log.warn({ err: scrubber.error(error) }, 'could not remove the input row from the ended job');
    }
  }

  private async enter(
    job: Job<unknown, JobResult>, token: string | undefined, scenario: Scenario<any>, row: Record<string, unknown>, payload: JobFields,
    entry: Omit<LedgerEntry, 'status' | 'manualMinutesSaved' | 'robotMs' | 'finishedAt'>, base: Pick<DossierFinished, 'jobId' | 'campaignId' | 'rowNumber'>, log: Logger,
    scrub: Scrubber,
  ): Promise<JobResult> {
    if (payload.dryRun) return this.dryRun(job, scenario, row, payload, base, log, scrub);

    let outcome: DossierOutcome;
    const owned = new AbortController();
    const attempt: Attempt = { jobId: base.jobId, token: token ?? '' };
    this.owned.set(base.jobId, { controller: owned, attempt });
    const commitGate = token
      ? this.claims.gate({
        scenarioId: scenario.id, dossierId: payload.dossierId, attemptKey: this.attempts.keyOf(base.jobId), token,
        holder: `${this.options.machine}|${base.jobId}|${job.attemptsMade + 1}`,
      })
      : undefined;
    try {
      // A refusal's text is the back office's: it may quote a NIR or a name.
      outcome = scrub.deep(await this.options.robot.run(scenario, row, { dossierId: payload.dossierId, signal: owned.signal, ...(commitGate ? { commitGate } : {}) }));
    } catch (error) {
      if (this.handingBack) throw error;
      // Masked before anything reads it: a navigation error quotes a URL, which may carry a NIR.
      const failure = scrub.error(error instanceof Error ? error : new Error(String(error)));
      if (failure instanceof LoginRefused && this.options.applicationPauses) throw await this.pauseApplicationFor(failure, job, token, log, scrub);
      // A step that failed while this worker was frozen past its lock is not this worker's to
      // retry or record: the machine that holds the dossier now finishes and records it.
      if (failure instanceof OwnershipLost || owned.signal.aborted || (token && !(await this.attempts.holds(attempt)))) {
        throw await this.handBackLost(job, token, failure, log);
      }
      // What the robot kept (screenshot, HTML) is listed on the job, for the dashboard and the work list.
      for (const path of failure instanceof ProwebError ? failure.evidence : []) await job.log(`evidence: ${path}`);
      const retried = failure instanceof TechnicalFailure;
      if (retried && job.attemptsMade + 1 < (job.opts.attempts ?? 1)) {
        this.emit('retrying', { jobId: base.jobId, attempt: job.attemptsMade + 1, error: failure });
        throw failure;
      }
      if (retried) {
        // Before a person is asked to redo it, the guard looks once more: the last attempt may
        // have committed before it failed.
        const found = await this.lookAgain(scenario, row, payload, log, scrub);
        if (found) return this.recordOutcome(job, payload, scenario, entry, base, log, { ...found, robotMs: found.robotMs });
      }
      const reason = scrub.text(failure instanceof OutcomeUnknown ? `${new ManualCheckNeeded(failure.application, scenario.describeKey(row)).message} (${failure.message})` : failure.message);
      await this.failedForGood(job, payload, scenario, entry, base, reason, log);
      // Retrying cannot help a final error (a person must check, a scenario bug): no further attempt.
      throw retried ? failure : new UnrecoverableError(reason);
    } finally {
      this.owned.delete(base.jobId);
    }
    return this.recordOutcome(job, payload, scenario, entry, base, log, outcome);
  }

  /**
   * This attempt lost its attempt lock: nothing was clicked, nothing is recorded here. When
   * another machine took the job over, BullMQ's lock is gone too and the job is that machine's to
   * finish. When BullMQ's lock is still this worker's (the attempt lock was lost in a failover,
   * or expired while its renewal failed, or could not be read), nobody else runs the dossier: it
   * goes back to the queue, retaken after a lock's duration like a job handed back at shutdown,
   * and no attempt is spent, so that a dossier never ends failed for a lock only.
   * @returns the error to throw: BullMQ's DelayedError once handed back, else the OwnershipLost.
   */
  private async handBackLost(job: Job<unknown, JobResult>, token: string | undefined, failure: Error, log: Logger): Promise<Error> {
    const lost = failure instanceof OwnershipLost ? failure : new OwnershipLost(failure.message);
    if (token) {
      try {
        await job.moveToDelayed(Date.now() + this.attempts.durationMs, token);
        log.warn({ reason: lost.message }, 'attempt lock lost while the job was still ours; nothing clicked, dossier back to the queue');
        return new DelayedError('attempt lock lost: handed back');
      } catch {
        // BullMQ's lock is another's: the machine that took the job over finishes it.
      }
    }
    log.warn({ reason: lost.message }, 'dossier taken over by another worker; nothing clicked, nothing recorded here');
    return lost;
  }

  /** The final guard: a dry run that ends on the guard when the entry is in the application. */
  private async lookAgain(scenario: Scenario<any>, row: Record<string, unknown>, payload: JobFields, log: Logger, scrub: Scrubber): Promise<Extract<DossierOutcome, { status: 'done' }> | undefined> {
    try {
      const outcome = scrub.deep(await this.options.robot.run(scenario, row, { dossierId: payload.dossierId, dryRun: true }));
      if (outcome.status === 'done' && outcome.alreadyEntered) {
        log.info({ reference: outcome.reference }, 'the last attempt failed but its entry is in the application: done');
        return outcome;
      }
    } catch (error) {
      log.warn({ err: scrub.error(error) }, 'the final look for the entry failed too');
    }
    return undefined;
  }

  private async recordOutcome(
    job: Job<unknown, JobResult>, payload: JobFields, scenario: Scenario<any>, entry: Omit<LedgerEntry, 'status' | 'manualMinutesSaved' | 'robotMs' | 'finishedAt'>,
    base: Pick<DossierFinished, 'jobId' | 'campaignId' | 'rowNumber'>, log: Logger, outcome: DossierOutcome,
  ): Promise<JobResult> {
    // Found already entered with no commit claimed for it by the fleet (claims last a day): a
    // person entered it, or the robot did before its done record expired and counted it then.
    const savedNothing = outcome.status === 'done' && outcome.alreadyEntered && !(await this.claims.claimed(scenario.id, payload.dossierId));
    const recorded = await this.options.ledger.record({
      ...entry,
      status: outcome.status,
      ...(outcome.status === 'done' ? { reference: outcome.reference, alreadyEntered: outcome.alreadyEntered } : { reason: outcome.reason }),
      manualMinutesSaved: outcome.status === 'done' && !savedNothing ? scenario.manualMinutes : 0,
      robotMs: outcome.robotMs,
      finishedAt: new Date().toISOString(),
    });
    // Entered now, yet the ledger knew it done under another reference: the guard missed an
    // earlier entry. That is the alarm this project exists to raise, never "already done".
    const possibleDuplicate = !recorded.recorded && outcome.status === 'done' && !outcome.alreadyEntered && recorded.done !== undefined && recorded.done.reference !== outcome.reference;
    if (possibleDuplicate) {
      log.error({ reference: outcome.reference, recordedReference: recorded.done?.reference }, 'POSSIBLE DUPLICATE: entered again although the ledger had it done');
      await this.options.ledger.flagPossibleDuplicate({ ...entry, status: 'done', reference: outcome.reference, manualMinutesSaved: 0, robotMs: outcome.robotMs, finishedAt: new Date().toISOString() }, recorded.done!.reference);
    }
    await this.ended(job, payload, log);
    this.emit('finished', {
      ...base,
      status: outcome.status,
      ...(outcome.status === 'done' ? { reference: outcome.reference } : { reason: outcome.reason }),
      alreadyRecorded: !recorded.recorded,
      ...(possibleDuplicate ? { possibleDuplicate: true } : {}),
    });
    return outcome;
  }

  /** Records a dossier that no attempt will save: it goes to a person, who redoes it, at the scenario's rework cost. */
  private async failedForGood(
    job: Job<unknown, JobResult>, payload: JobFields, scenario: Scenario<any>, entry: Omit<LedgerEntry, 'status' | 'manualMinutesSaved' | 'robotMs' | 'finishedAt'>,
    base: Pick<DossierFinished, 'jobId' | 'campaignId' | 'rowNumber'>, reason: string, log: Logger,
  ): Promise<void> {
    await this.options.ledger.record({ ...entry, status: 'failed', reason, manualMinutesSaved: 0, reworkMinutes: scenario.reworkMinutes ?? 0, robotMs: 0, finishedAt: new Date().toISOString() });
    await this.ended(job, payload, log);
    this.emit('finished', { ...base, status: 'failed', reason, alreadyRecorded: false });
  }

  /** A dry run: the robot does every step but the commit; the ledger is not touched. */
  private async dryRun(
    job: Job<unknown, JobResult>, scenario: Scenario<any>, row: Record<string, unknown>, payload: JobFields,
    base: Pick<DossierFinished, 'jobId' | 'campaignId' | 'rowNumber'>, log: Logger, scrub: Scrubber,
  ): Promise<JobResult> {
    let outcome: DossierOutcome;
    try {
      outcome = scrub.deep(await this.options.robot.run(scenario, row, { dossierId: payload.dossierId, dryRun: true }));
    } catch (error) {
      // A dry run reports a failure at once: retrying a trial teaches nothing new.
      const reason = scrub.text(error instanceof Error ? error.message : String(error));
      await this.ended(job, payload, log);
      this.emit('finished', { ...base, status: 'failed', reason, alreadyRecorded: false });
      throw new UnrecoverableError(reason);
    }
    await this.ended(job, payload, log);
    this.emit('finished', { ...base, status: outcome.status, ...(outcome.status === 'done' ? { reference: outcome.reference } : { reason: outcome.reason }), alreadyRecorded: false });
    return outcome;
  }

  /**
   * Stops taking jobs, lets the running ones finish, then disconnects. Idempotent.
   * With `gracePeriodMs`, dossiers still running when it ends are interrupted by
   * `interrupt` (closing the robot's browser) and handed back to the queue, where
   * another machine takes them: nothing is lost, and the guard sees what was sent.
   */
  close(options: { gracePeriodMs?: number; interrupt?: () => Promise<void> } = {}): Promise<void> {
    this.closing ??= (async () => {
      const draining = Promise.all(this.workers.map((w) => w.close())).then(() => this.redis.quit().then(() => undefined, () => this.redis.disconnect()));
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

  /**
   * Applications whose pause this worker wrote or joined after its robot was refused. Its
   * robot's refusal is forgotten only when such a pause is gone (an operator resumed it), never
   * while the pause is still being written.
   */
  private readonly pausedHere = new Set<string>();

  /**
   * Before a dossier: parks it (throwing BullMQ's DelayedError) when an application its
   * scenario needs is paused for the fleet (`paused`: the pauses read before it). An
   * application resumed since this worker paused it is logged in to again: the robot forgets
   * its refusal.
   */
  private async parkIfApplicationPaused(job: Job<unknown, JobResult>, token: string | undefined, scenario: Scenario<any>, paused: readonly ApplicationPause[], log: Logger): Promise<void> {
    if (!this.options.applicationPauses) return;
    const ids = scenario.applications.map((a) => a.id);
    for (const id of ids) {
      if (!this.pausedHere.has(id) || paused.some((p) => p.applicationId === id)) continue;
      this.pausedHere.delete(id);
      if (this.options.robot.forgetLoginRefusal(id)) log.info({ application: id }, 'application resumed: its login is tried again');
    }
    const pause = paused[0];
    if (pause) throw await this.parkForApplication(job, token, pause.applicationId);
  }

  /**
   * The robot's login was refused: pauses the application for the fleet (a pause already
   * there keeps its first account of what happened), says so once, and parks the dossier.
   * @returns the DelayedError to throw.
   */
  private async pauseApplicationFor(refused: LoginRefused, job: Job<unknown, JobResult>, token: string | undefined, log: Logger, scrub: Scrubber): Promise<DelayedError> {
    const application = refused.application;
    // Kept in Redis and shown to every operator: the application's words, masked like any other.
    const reason = scrub.text(refused.applicationMessage);
    const { pause, first } = await this.options.applicationPauses!.pause(application, {
      reason, machine: this.options.machine, at: refused.at, ...(refused.username ? { username: refused.username } : {}),
    });
    if (!this.pausedHere.has(application)) {
      this.pausedHere.add(application);
      log.error(
        { application, username: refused.username, reason, pausedBy: pause.machine, pausedAt: pause.at },
        `login to ${application} refused: the application is paused for the whole fleet; fix the credentials of ${refused.username ?? 'its account'}, then run \`proweb application resume ${application}\``,
      );
      this.emit('applicationPaused', { ...pause, first, jobId: job.id ?? '' });
    }
    return this.parkForApplication(job, token, application);
  }

  /** Parks a dossier under an application's pause as a paused campaign's are: delayed, not failed, no attempt spent. */
  private async parkForApplication(job: Job<unknown, JobResult>, token: string | undefined, applicationId: string): Promise<DelayedError> {
    const pauses = this.options.applicationPauses!;
    await pauses.noteParked(applicationId, { queueName: job.queueName, jobId: job.id ?? '' });
    await job.moveToDelayed(Date.now() + PAUSED_RECHECK_MS, token);
    // A resume between the read and the parking could not wake this dossier: wake it here.
    if (!(await pauses.isPaused(applicationId))) await job.promote().catch(() => undefined);
    return new DelayedError(`application ${applicationId} paused`);
  }
}

