import { Queue, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../core/logger.ts';
import type { Ledger } from '../gains/index.ts';
import type { Robot } from '../runner/index.ts';
import type { Scenario } from '../scenarios/dsl/index.ts';
import { submitCampaign, type CampaignSubmission } from './campaign.ts';
import { DEFAULT_PREFIX, queueNameFor } from './queue-options.ts';
import { DossierWorker, type DossierFinished } from './worker.ts';

export interface RunCampaignOptions {
  connection: ConnectionOptions;
  /** @defaultValue 'proweb' */
  prefix?: string;
  scenario: Scenario<any>;
  file: string;
  caisse: string;
  machine: string;
  robot: Robot;
  ledger: Ledger;
  logger?: Logger;
  /** Called once the file is read and its jobs queued (the campaign may already be running). */
  onSubmitted?: (submission: CampaignSubmission) => void;
  /** Called as each dossier of this campaign ends. */
  onFinished?: (finished: DossierFinished) => void;
  /** Called when an attempt failed technically and BullMQ will retry it. */
  onRetry?: (retry: { jobId: string; attempt: number; error: Error }) => void;
}

export interface CampaignResult {
  submission: CampaignSubmission;
  /** Each dossier this campaign queued, as it ended. */
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
    connection: options.connection, prefix, robot: options.robot, ledger: options.ledger,
    scenarios: [options.scenario], machine: options.machine, ...(options.logger ? { logger: options.logger } : {}),
  });
  // Jobs may finish while the file is still being read: collect every ending from the start.
  const ended = new Map<string, DossierFinished>();
  let expected: Set<string> | undefined;
  let allEnded: () => void = () => undefined;
  const whenAllEnded = new Promise<void>((resolve) => (allEnded = resolve));
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
  try {
    await worker.waitUntilReady();
    const submission = await submitCampaign({ queue, ledger: options.ledger, scenario: options.scenario, file: options.file, caisse: options.caisse });
    expected = new Set(submission.jobIds);
    options.onSubmitted?.(submission);
    for (const id of expected) {
      const f = ended.get(id);
      if (f) report(f);
    }
    if (expected.size === 0) allEnded();
    await whenAllEnded;
    return { submission, finished: submission.jobIds.map((id) => ended.get(id)!), elapsedMs: Math.round(performance.now() - started) };
  } finally {
    await worker.close();
    await queue.close();
  }
}
