import { roundTo } from './etp.ts';
import { frenchNumber, frenchPercent } from './french.ts';
import { describeLength, describePeriod, type ClosedPeriod } from './period.ts';
import type { GainReport, GainRow } from './report.ts';
import { csvLines } from '../core/csv.ts';

export type GainReportFormat = 'table' | 'csv' | 'json' | 'html';

const periodOf = (report: GainReport) => ({
  ...(report.period.from ? { from: new Date(report.period.from) } : {}),
  ...(report.period.to ? { to: new Date(report.period.to) } : {}),
});

/** `Period: 2020-01-01 – 2020-12-31, compared with 2019-01-01 – 2019-12-31.` */
function periodLine(report: GainReport): string {
  const period = periodOf(report);
  if (!period.from && !period.to) return 'Period: the whole ledger.';
  const previous = report.previousPeriod ? `, compared with ${describePeriod({ from: new Date(report.previousPeriod.from), to: new Date(report.previousPeriod.to) })}` : '';
  return `Period: ${describePeriod(period)}${previous}.`;
}

/** The stretch of time a report's ETP rates are over, if any. */
export function spanOf(report: GainReport): ClosedPeriod | undefined {
  return report.span && { from: new Date(report.span.from), to: new Date(report.span.to) };
}

/**
 * The one line that says what ETP means in this report: a rate, hours saved ÷ (hours per
 * ETP × the period's length in years), and which period each row is over.
 */
export function etpLine(report: GainReport): string {
  const formula = `ETP = hours saved ÷ (${frenchNumber(report.hoursPerEtp, 0)} h × the period's length in years): people working full time over that period`;
  const span = spanOf(report);
  if (!span) return `${formula}; the ledger is empty.`;
  const over = `${describePeriod(span)} (${describeLength(span)}${report.period.from || report.period.to ? '' : ', the months the ledger covers'})`;
  if (report.by === 'month' || report.by === 'year') {
    return `${formula}; each ${report.by} over that ${report.by} (or its part in the period), the total over ${over}.`;
  }
  return `${formula}; every row over ${over}.`;
}

/** The gain report as a plain-text table (French number formatting, as managers read it). */
export function formatGainTable(report: GainReport): string {
  // One decimal of ETP as the national report prints it (389,9); two for small figures (a demo's 0,02).
  const etpDecimals = Math.abs(report.total.etp) >= 10 ? 1 : 2;
  const growth = report.by === 'month' || report.by === 'year' || report.previousPeriod !== undefined;
  const header = [report.by, 'dossiers', 'rejected', 'failed', 'hours saved', 'ETP', 'robot hours', 'success', ...(growth ? ['growth'] : [])];
  const cells = (r: GainRow) => [
    r.group, frenchNumber(r.dossiers, 0), frenchNumber(r.rejected, 0), frenchNumber(r.failed, 0), frenchNumber(r.hoursSaved, 1),
    frenchNumber(r.etp, etpDecimals), frenchNumber(r.robotHours, 2), frenchPercent(r.successRate, 1),
    ...(growth ? [frenchPercent(r.growth?.dossiers ?? null, 0, { signed: true })] : []),
  ];
  const body = [...report.rows.map(cells), cells(report.total)];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const notes = [
    periodLine(report),
    etpLine(report),
    'Success: dossiers done among those processed.',
    ...(report.by === 'month' || report.by === 'year'
      ? [`Growth: dossiers against the previous ${report.by}, as rates over the part of each the report covers${report.previousPeriod ? '; the total against the previous period, of the same length' : ''}.`]
      : report.previousPeriod ? ['Growth: dossiers against the previous period, of the same length.'] : []),
    ...(report.total.reworkHours > 0 ? [`Hours saved are net of ${frenchNumber(report.total.reworkHours, 1)} hours of rework on ${frenchNumber(report.total.failed, 0)} failed dossiers.`] : []),
  ];
  return [line(header), rule, ...report.rows.map((r) => line(cells(r))), rule, line(cells(report.total)), '', ...notes].join('\n');
}

const CSV_COLUMNS: readonly [string, (r: GainRow) => number | string | null][] = [
  ['dossiers', (r) => r.dossiers],
  ['done', (r) => r.done],
  ['rejected', (r) => r.rejected],
  ['failed', (r) => r.failed],
  ['success %', (r) => (r.successRate === null ? null : roundTo(r.successRate * 100, 2))],
  ['hours saved', (r) => roundTo(r.hoursSaved, 2)],
  ['rework hours', (r) => roundTo(r.reworkHours, 2)],
  ['ETP', (r) => roundTo(r.etp, 2)],
  ['length in years', (r) => roundTo(r.years, 4)],
  ['années-ETP', (r) => roundTo(r.etpYears, 2)],
  ['robot hours', (r) => roundTo(r.robotHours, 2)],
  ['machines', (r) => r.machines],
  ['dossier growth %', (r) => (r.growth?.dossiers == null ? null : roundTo(r.growth.dossiers * 100, 2))],
  ['hours growth %', (r) => (r.growth?.hoursSaved == null ? null : roundTo(r.growth.hoursSaved * 100, 2))],
  ['compared with', (r) => r.growth?.against ?? null],
];

/** Figures with a decimal comma, as a French spreadsheet reads them. */
const csvCell = (value: number | string | null): string | null => (typeof value === 'number' ? String(value).replace('.', ',') : value);

/**
 * The gain report as CSV for a French spreadsheet: `;` separated, decimal comma, UTF-8
 * with a byte order mark so that Excel reads the accents; one line per group, the total,
 * then what ETP means in one cell.
 */
export function formatGainCsv(report: GainReport): string {
  const lines = [
    [report.by, ...CSV_COLUMNS.map(([name]) => name)],
    ...[...report.rows, report.total].map((r) => [r.group, ...CSV_COLUMNS.map(([, value]) => value(r))]),
    [etpLine(report)],
  ];
  return `\ufeff${csvLines(lines.map((cells) => cells.map(csvCell)))}`;
}

/** The gain report as JSON, figures unrounded, for other programs; `etpNote` says what ETP means. */
export function formatGainJson(report: GainReport): string {
  return `${JSON.stringify({ etpNote: etpLine(report), ...report }, null, 2)}\n`;
}
