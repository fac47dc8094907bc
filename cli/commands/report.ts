import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../../core/config.ts';
import {
  Ledger, formatGainCsv, formatGainJson, formatGainTable, readLedgerFile, readRangeOf, renderGainHtml, summarizeGains,
  type GainFigures, type GainReport, type GainReportFormat, type Period,
} from '../../gains/index.ts';
import type { CommandContext } from '../context.ts';
import type { ReportOptions } from '../program/report.ts';
import { openRedis } from '../redis.ts';

/** A report in one of its formats. */
export async function renderGainReport(report: GainReport, format: GainReportFormat): Promise<string> {
  switch (format) {
    case 'table':
      return `${formatGainTable(report)}\n`;
    case 'csv':
      return formatGainCsv(report);
    case 'json':
      return formatGainJson(report);
    case 'html':
      return renderGainHtml(report);
  }
}

/** Writes a report file, creating its folder; returns its absolute path. */
export async function writeReportFile(file: string, content: string): Promise<string> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, 'utf8');
  return path;
}

/**
 * `proweb report`: dossiers, hours saved, ETP, robot hours, success rate and growth over a
 * period, from the ledger's rollups in Redis or from an export or the archive of its entries
 * (`--ledger-file`). Bounds that are not whole UTC days are read from the entries still in Redis.
 */
export async function reportCommand(opts: ReportOptions, ctx: CommandContext): Promise<number> {
  const config = await loadConfig(opts.config);
  const period: Period = { ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}) };
  const now = new Date();
  const range = readRangeOf(period, now);
  let entries: AsyncIterable<GainFigures>;
  if (opts.ledgerFile) {
    entries = readLedgerFile(opts.ledgerFile, range);
  } else {
    // The rollups, over whole days: the time of a report follows its days and groups, not its dossiers.
    const redis = await openRedis(config, ctx.closer, { requireNoEviction: false });
    entries = new Ledger(redis.client, { prefix: config.prefix }).figures(range, period, { byMachine: opts.by === 'machine' });
  }
  const report = await summarizeGains(entries, { by: opts.by, hoursPerEtp: opts.hoursPerEtp ?? config.hoursPerEtp, period, now });
  const content = await renderGainReport(report, opts.format);
  if (opts.out) {
    ctx.out(`Report written to ${await writeReportFile(opts.out, content)}\n`);
  } else {
    ctx.out(content);
  }
  return 0;
}
