import { Queue, type ConnectionOptions } from 'bullmq';
import { ProwebError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { DeploymentSecret } from '../../core/secret.ts';
import type { Ledger } from '../../gains/index.ts';
import type { Robot } from '../../runner/index.ts';
import type { Scenario } from '../../scenarios/dsl/index.ts';
import { ApplicationPaused, type ApplicationPauses } from '../fleet/application-pauses.ts';
import { submitCampaign, type CampaignSubmission } from './campaign.ts';
import type { CampaignRegistry } from './campaign-registry.ts';
import { submitRegisteredCampaign } from './enqueue.ts';
import { JobRefused } from './job-payload.ts';
import { DEFAULT_PREFIX, queueNameFor } from '../queue-options.ts';
import { DossierWorker, type CapacityLimiter, type DossierFinished } from '../fleet/worker.ts';

export interface RunCampaignOptions {
  connection: ConnectionOptions;
  /** The configuration's `folders.rejections`; unset = the rejection file goes next to the input. */
  rejectionsFolder?: string;
  /** @defaultValue 'proweb' */
  prefix?: string;
  scenario: Scenario<any>;
  file: string;
  caisse: string;
  /** The deployment secret: keys the dossier ids, seals the jobs and opens them in the worker. */
  secret: DeploymentSecret;
  machine: string;
  robot: Robot;
  ledger: Ledger;
  logger?: Logger;
  /** Called once the file is read and its jobs queued (the campaign may already be running). */
  onSubmitted?: (submission: CampaignSubmission) => void;
  /** Called as each dossier of this campaign ends. */
  onFinished?: (finished: DossierFinished) => void;
  /** Every step but the commit: nothing entered, nothing recorded. */
  dryRun?: boolean;
  /** Aborting stops taking dossiers, lets the running ones finish, and rejects with {@link CampaignInterrupted}. */
  signal?: AbortSignal;
  /** Called when an attempt failed technically and BullMQ will retry it. */
  onRetry?: (retry: { jobId: string; attempt: number; error: Error }) => void;
  /**
   * Registers the campaign, so that `proweb campaign status` follows it as it follows the
   * fleet's, and `pause`, `resume` and `cancel` reach it.
   */
  registry?: CampaignRegistry;
  /** Back-office capacity (rate, sessions, opening hours): a dossier waits until it may go. */
  capacity?: CapacityLimiter;
  /** How often a registered campaign is checked for a cancellation. @defaultValue 2_000 */
  cancelPollMs?: number;
  /**
   * Applications paused after a refused login. With them, a run does not start while one of
   * its applications is paused, and stops with {@link ApplicationPaused} (its dossiers still
   * queued, none failed) when a login is refused; without them, each dossier fails.
   */
  applicationPauses?: ApplicationPauses;
}

/** The campaign was cancelled (`proweb campaign cancel`) while it ran here. */
export class CampaignCancelled extends ProwebError {
  override name = 'CampaignCancelled';
  constructor(readonly campaignId: string) {
    super(`campaign ${campaignId} was cancelled`, 'Its dossiers not yet entered were removed from the queue; submit the file again to enter them.');
  }
}

/** The campaign was stopped before its end; what was not done is still queued. */
export class CampaignInterrupted extends ProwebError {
  override name = 'CampaignInterrupted';
  constructor() {
    super('campaign interrupted', 'Dossiers not finished are still queued: run the campaign again to finish them.');
  }
}

export interface CampaignResult {
  submission: CampaignSubmission;
  /** Each dossier of the file that was run, as it ended (queued now, or left queued by an interrupted run). */
  finished: DossierFinished[];
  elapsedMs: number;
}

/**
 * The one-machine path: submits a campaign and runs it with a worker in this process
 * until every dossier it queued has ended. Same queue, ledger and worker as a fleet.
 */
export async function runCampaign(options: RunCampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const queue = new Queue(queueNameFor(options.scenario.id), { connection: options.connection, prefix });
  const worker = new DossierWorker({
    connection: options.connection, prefix, robot: options.robot, ledger: options.ledger, secret: options.secret,
    scenarios: [options.scenario], machine: options.machine, ...(options.logger ? { logger: options.logger } : {}),
    ...(options.registry ? { campaigns: options.registry } : {}), ...(options.capacity ? { capacity: options.capacity } : {}),
    ...(options.applicationPauses ? { applicationPauses: options.applicationPauses } : {}),
  });
  // Jobs may finish while the file is still being read: collect every ending from the start.
  const ended = new Map<string, DossierFinished>();
  let expected: Set<string> | undefined;
  let allEnded: () => void = () => undefined;
  let interrupted: (error: Error) => void = () => undefined;
  const whenAllEnded = new Promise<void>((resolve, reject) => {
    allEnded = resolve;
    interrupted = reject;
  });
  // Unfinished dossiers stay in Redis: the next run (or another machine) takes them.
  const onAbort = () => void worker.close().then(() => interrupted(new CampaignInterrupted()));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let reported = 0;
  const report = (f: DossierFinished) => {
    if (!expected?.has(f.jobId)) return;
    options.onFinished?.(f);
    if (++reported === expected.size) allEnded();
  };
  worker.on('finished', (f) => {
    // A dossier retaken after a stall may end twice; its first ending counts.
    if (ended.has(f.jobId)) return;
    ended.set(f.jobId, f);
    report(f);
  });
  if (options.onRetry) worker.on('retrying', options.onRetry);
  // A dossier of this run whose job was refused (edited in Redis meanwhile, or another secret) will not end here.
  const refused = new Map<string, string>();
  const stopOnRefusal = (jobId: string) => {
    const reason = refused.get(jobId);
    if (reason !== undefined && expected?.has(jobId)) void worker.close().then(() => interrupted(new JobRefused(jobId, reason)));
  };
  worker.on('refused', (refusal) => {
    refused.set(refusal.jobId, refusal.reason);
    stopOnRefusal(refusal.jobId);
  });
  // A refused login: trying the next dossiers would only lock the account.
  worker.on('applicationPaused', (pause) => void worker.close().then(() => interrupted(new ApplicationPaused(pause))));
  let cancelWatch: NodeJS.Timeout | undefined;
  try {
    const [paused] = (await options.applicationPauses?.pausedAmong(options.scenario.applications.map((a: { id: string }) => a.id))) ?? [];
    if (paused) throw new ApplicationPaused(paused);
    await worker.waitUntilReady();
    const submit = {
      queue, ledger: options.ledger, scenario: options.scenario, file: options.file, caisse: options.caisse, secret: options.secret,
      ...(options.dryRun ? { dryRun: true } : {}), ...(options.rejectionsFolder ? { rejectionsFolder: options.rejectionsFolder } : {}),
    };
    const submission = options.registry
      ? await submitRegisteredCampaign({ ...submit, registry: options.registry, machine: options.machine })
      : await submitCampaign(submit);
    // Dossiers of this file left queued by an interrupted run are finished here too.
    expected = new Set([...submission.jobIds, ...submission.queuedJobIds]);
    options.onSubmitted?.(submission);
    for (const id of expected) {
      const f = ended.get(id);
      if (f) report(f);
      stopOnRefusal(id);
    }
    if (expected.size === 0) allEnded();
    if (options.registry) {
      const registry = options.registry;
      cancelWatch = setInterval(() => {
        void registry.stateOf(submission.campaignId).then((state) => {
          if (state === 'cancelled') void worker.close().then(() => interrupted(new CampaignCancelled(submission.campaignId)));
        }, () => undefined);
      }, options.cancelPollMs ?? 2_000);
    }
    await whenAllEnded;
    return { submission, finished: [...expected].map((id) => ended.get(id)!), elapsedMs: Math.round(performance.now() - started) };
  } finally {
    clearInterval(cancelWatch);
    options.signal?.removeEventListener('abort', onAbort);
    await worker.close();
    await queue.close();
  }
}
