import { hostname } from 'node:os';
import type { ProwebConfig } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { Ledger, ledgerOptionsOf, formatGainTable, renderGainHtml, summarizeGains } from '../gains/index.ts';
import { CampaignRegistry } from '../queue/campaigns/campaign-registry.ts';
import { type CampaignResult, runCampaign } from '../queue/campaigns/run-campaign.ts';
import { ApplicationPauses } from '../queue/fleet/application-pauses.ts';
import { Robot, type ApplicationEndpoint } from '../runner/index.ts';
import type { Scenario } from '../scenarios/dsl/index.ts';
import { invalidRowsText, rejectionsText, summaryText } from './campaign-output.ts';
import { capacityGateFor } from './capacity.ts';
import type { Closer } from './closer.ts';
import { deploymentSecretFor } from './context.ts';
import { writeReportFile } from './commands/report.ts';
import { createProgress, type ProgressMode } from './progress.ts';
import { openRedis } from './redis.ts';

export interface ExecuteCampaignOptions {
  config: ProwebConfig;
  closer: Closer;
  logger: Logger;
  scenario: Scenario<any>;
  file: string;
  caisse: string;
  endpoints: Record<string, ApplicationEndpoint>;
  concurrency: number;
  headed?: boolean;
  dryRun?: boolean;
  /** Where an embedded redis-server keeps its data. */
  redisDir?: string;
  /** `json`: progress as JSON lines on standard error. @defaultValue 'auto' (a bar on a terminal, plain lines otherwise) */
  progress?: ProgressMode;
  /** Also write the gain report as an HTML page here, and print its path. */
  reportHtml?: string;
  out: (text: string) => void;
}

/**
 * `proweb run` and the demo: one campaign on this machine, with a progress display,
 * then the invalid rows, the human work list, a summary and the gain report.
 */
export async function executeCampaign(options: ExecuteCampaignOptions): Promise<CampaignResult> {
  const { config, closer, logger, out } = options;
  // Before anything starts: a fleet's machine without the secret is refused at once.
  const secret = await deploymentSecretFor(config);
  const redis = await openRedis(config, closer, options.redisDir);
  out(`Redis: ${redis.where}\n`);
  const ledger = new Ledger(redis.client, ledgerOptionsOf(config));
  const robot = closer.add(
    'browser',
    await Robot.launch({
      applications: options.endpoints,
      concurrency: options.concurrency,
      headed: options.headed ?? false,
      evidenceDir: `${config.dataDir}/evidence`,
      defaultTimeoutMs: config.stepTimeoutMs,
      logger,
    }),
    (r) => r.close(),
  );
  const capacity = capacityGateFor(config, redis.client, logger);
  const progress = createProgress({ mode: options.progress ?? 'auto' });
  let retries = 0;
  const controller = new AbortController();
  const running = runCampaign({
    signal: controller.signal,
    ...(options.dryRun ? { dryRun: true } : {}),
    connection: redis.connection,
    prefix: config.prefix,
    scenario: options.scenario,
    file: options.file,
    caisse: options.caisse,
    secret,
    machine: config.machine ?? hostname(),
    ...(config.folders.rejections ? { rejectionsFolder: config.folders.rejections } : {}),
    robot,
    ledger,
    logger,
    registry: new CampaignRegistry(redis.client, { prefix: config.prefix }),
    applicationPauses: new ApplicationPauses(redis.client, { prefix: config.prefix }),
    ...(capacity ? { capacity } : {}),
    onSubmitted: (s) => {
      out(`Campaign ${s.campaignId}: ${s.rows} rows read, ${s.invalidRows} invalid, ${s.alreadyDone} already done, ${s.jobIds.length} queued` +
        `${s.alreadyQueued ? `, ${s.alreadyQueued} still queued from an earlier run` : ''}.\n`);
      progress.start(s.jobIds.length + s.queuedJobIds.length);
    },
    onFinished: (f) => progress.tick(f.status, { rowNumber: f.rowNumber }),
    onRetry: () => retries++,
  });
  // Closed first on a signal: running dossiers finish before the browser and Redis go.
  closer.add('campaign', running, async (p) => {
    controller.abort();
    await p.catch(() => undefined);
  });
  const result = await running;
  progress.stop();
  out('\n');
  out(invalidRowsText(result.submission) + '\n');
  out(rejectionsText(result) + '\n');
  out(summaryText(result));
  out(`  technical retries   ${retries}\n\n`);
  if (options.dryRun) {
    out('Dry run: every step but the commit; nothing was entered and nothing recorded in the ledger.\n');
    return result;
  }
  const report = await summarizeGains(ledger.entries(), { by: 'scenario', hoursPerEtp: config.hoursPerEtp });
  out(`Gains recorded in the ledger (all campaigns):\n${formatGainTable(report)}\n`);
  if (options.reportHtml) out(`Gain report (HTML): ${await writeReportFile(options.reportHtml, await renderGainHtml(report))}\n`);
  return result;
}
