import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../core/config.ts';
import { DEFAULT_USER, startBackOffice } from '../../fixtures/backoffice/index.ts';
import { assertInputFile } from '../../input/index.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import type { CommandContext } from '../context.ts';
import { executeCampaign } from '../execute-campaign.ts';
import type { DemoOptions } from '../program/demo.ts';

/** The demo's input: DIPA requests exported from the mock ameli pro, with a few bad rows. */
export const DEMO_FILE = fileURLToPath(new URL('../../fixtures/data/dipa-demo.csv', import.meta.url));

/**
 * `npm run demo`: the main job end to end on this machine. Starts the mock back
 * office and a private Redis (fresh each time, so the demo always enters its
 * payments), runs a DIPA payment campaign, prints the gains and writes them as an
 * HTML report (its path printed), and checks that the
 * back office holds exactly one payment per dossier done.
 */
export async function demoCommand(opts: DemoOptions, ctx: CommandContext): Promise<number> {
  const { closer, out } = ctx;
  const input = opts.input ?? DEMO_FILE;
  await assertInputFile(input);
  const config = await loadConfig(undefined, { ...process.env, REDIS_URL: '' });
  const logger = ctx.openLogger(config);
  const backOffice = closer.add('back office', await startBackOffice({ port: 0 }), (b) => b.close());
  out(`Back office (ameli pro, Progrès): ${backOffice.url}\n`);
  const redisDir = closer.add('demo redis folder', await mkdtemp(join(tmpdir(), 'proweb-demo-')), (dir) => rm(dir, { recursive: true, force: true }));
  if (opts.faults) {
    // Two answers lost after Progrès committed (an error page, a cut connection): the robot does not
    // know whether the payment went through, retries, and its guard finds it. And an error page
    // before any commit: simply retried. None pays twice.
    backOffice.faults.inject({ on: 'commit', kind: 'http-500-after-commit', times: 1 });
    backOffice.faults.inject({ on: 'commit', kind: 'drop-connection-after-commit', times: 1 });
    backOffice.faults.inject({ on: 'commit-form', kind: 'http-500-before-commit', times: 1 });
  }
  // Worked on a copy, so the rejected rows file lands in the demo's folder, not among the fixtures.
  const workDir = join(config.dataDir, 'demo');
  await mkdir(workDir, { recursive: true });
  const file = join(workDir, basename(input));
  await copyFile(input, file);
  const result = await executeCampaign({
    config, closer, logger, scenario: dipaPayment, file, caisse: 'CPAM Lille-Douai',
    endpoints: { progres: { baseUrl: backOffice.url, ...DEFAULT_USER } },
    // --concurrency 0 means the configuration's.
    concurrency: opts.concurrency || config.concurrency, redisDir, out, progress: opts.json ? 'json' : 'auto',
    // The manager's view of the same gains: one HTML page that opens offline.
    reportHtml: join(workDir, 'rapport-gains.html'),
  });
  const done = result.finished.filter((f) => f.status === 'done').length;
  // Counted per business key in Progrès's own state, which takes a second payment for a key as
  // the real one would: any key with two references was paid twice.
  const byKey = [...backOffice.state.entriesByKey().values()];
  const payments = byKey.reduce((n, references) => n + references.length, 0);
  const twice = byKey.filter((references) => references.length > 1).length;
  out(`Back office check: ${payments} payments recorded for ${done} dossiers done, ${twice} entered twice.\n`);
  out(`Logs: ${process.env.PROWEB_LOG_FILE ?? `${config.dataDir}/logs/proweb.log`}\n`);
  return payments === done && twice === 0 ? 0 : 1;
}
