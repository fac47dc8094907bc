import { roundTo } from './etp.ts';
import type { GainReport, GainRow } from './report.ts';

const number = (value: number, decimals: number) =>
  roundTo(value, decimals).toLocaleString('fr-FR', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).replace(/\u202f|\u00a0/g, ' ');

/** The gain report as a plain-text table (French number formatting, as managers read it). */
export function formatGainTable(report: GainReport): string {
  const header = [report.by, 'dossiers', 'rejected', 'failed', 'hours saved', 'ETP', 'robot hours'];
  const cells = (r: GainRow) => [r.group, number(r.done, 0), number(r.rejected, 0), number(r.failed, 0), number(r.hoursSaved, 1), number(r.etp, 2), number(r.robotHours, 2)];
  const body = [...report.rows.map(cells), cells(report.total)];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...report.rows.map((r) => line(cells(r))), rule, line(cells(report.total)), '',
    `1 ETP = ${number(report.hoursPerEtp, 0)} hours saved a year.`].join('\n');
}
