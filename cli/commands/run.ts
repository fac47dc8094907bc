import { loadConfig, resolveEndpoints } from '../../core/config.ts';
import { assertInputFile } from '../../input/index.ts';
import { findScenario } from '../../scenarios/catalogue.ts';
import type { CommandContext } from '../context.ts';
import { executeCampaign } from '../execute-campaign.ts';
import type { RunOptions } from '../program/run.ts';
import type { ProgressMode } from '../progress.ts';

/** `proweb run <scenario> --input F --caisse C`: the all-in-one, one-machine path. */
export async function runCommand(scenarioId: string, opts: RunOptions, ctx: CommandContext): Promise<number> {
  const config = await loadConfig(opts.config);
  const scenario = findScenario(scenarioId);
  await assertInputFile(opts.input);
  const logger = ctx.openLogger(config);
  const result = await executeCampaign({
    config, closer: ctx.closer, logger, scenario, file: opts.input, caisse: opts.caisse,
    endpoints: resolveEndpoints(config), concurrency: opts.concurrency ?? config.concurrency,
    headed: opts.headed ?? false, out: ctx.out, ...(opts.dryRun ? { dryRun: true } : {}), progress: (opts.json ? 'json' : 'auto') satisfies ProgressMode,
  });
  return result.finished.some((f) => f.status === 'failed') ? 1 : 0;
}
