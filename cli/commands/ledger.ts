import { resolve } from 'node:path';
import { loadConfig } from '../../core/config.ts';
import { Ledger, exportLedger } from '../../gains/index.ts';
import type { CommandContext } from '../context.ts';
import type { LedgerExportOptions } from '../program/ledger.ts';
import { openRedis } from '../redis.ts';

/** `proweb ledger export`: the ledger's entries (of a period) to a CSV or JSON lines file, for archiving. */
export async function ledgerExportCommand(opts: LedgerExportOptions, ctx: CommandContext): Promise<number> {
  const config = await loadConfig(opts.config);
  const redis = await openRedis(config, ctx.closer, { requireNoEviction: false });
  const ledger = new Ledger(redis.client, { prefix: config.prefix });
  const count = await exportLedger(ledger.entries({ ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}) }), { format: opts.format, out: opts.out });
  ctx.out(`${count} ledger entries written to ${resolve(opts.out)}\n`);
  return 0;
}
