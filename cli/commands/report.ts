import { loadConfig } from '../../core/config.ts';
import { Ledger, formatGainTable, summarizeGains, type GainGrouping } from '../../gains/index.ts';
import type { CommandContext } from '../context.ts';
import { openRedis } from '../redis.ts';

/** `proweb report`: dossiers, hours saved and ETP from the ledger. */
export async function reportCommand(opts: { config?: string; by?: GainGrouping; hoursPerEtp?: number }, ctx: CommandContext): Promise<number> {
  const config = await loadConfig(opts.config);
  const redis = await openRedis(config, ctx.closer);
  const ledger = new Ledger(redis.client, { prefix: config.prefix });
  const report = await summarizeGains(ledger.entries(), { by: opts.by ?? 'scenario', hoursPerEtp: opts.hoursPerEtp ?? config.hoursPerEtp });
  ctx.out(`${formatGainTable(report)}\n`);
  return 0;
}
