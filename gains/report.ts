import { DEFAULT_HOURS_PER_ETP, etpFromHours } from './etp.ts';
import type { LedgerEntry } from './ledger-entry.ts';
import { describePeriod, previousPeriod, type ClosedPeriod, type Period } from './period.ts';

export type GainGrouping = 'scenario' | 'caisse' | 'machine' | 'month' | 'year';

/** Relative change against an earlier row: `0.56` is +56 %; `null` when the earlier figure is zero or unknown. */
export interface GainGrowth {
  /** What the row is compared with: the previous month or year, or the same group in the previous period. */
  against: string;
  dossiers: number | null;
  hoursSaved: number | null;
}

/** Gains of one group (a scenario, a caisse, a month...). */
export interface GainRow {
  group: string;
  /** Dossiers processed: done + rejected + failed. */
  dossiers: number;
  done: number;
  rejected: number;
  failed: number;
  /** done / dossiers; `null` when there is no dossier. */
  successRate: number | null;
  /** Hours saved by the dossiers done, less the rework of those that failed. */
  hoursSaved: number;
  /** Hours people spent redoing failed dossiers (already deducted from `hoursSaved`). */
  reworkHours: number;
  etp: number;
  robotHours: number;
  /** Robot machines that finished at least one dossier. */
  machines: number;
  growth: GainGrowth | null;
}

export interface GainReport {
  by: GainGrouping;
  hoursPerEtp: number;
  /** The period reported on, ISO bounds (`to` excluded); an absent bound is open. */
  period: { from?: string; to?: string };
  /** The period the total is compared with (the same length just before `from`), when `from` is given. */
  previousPeriod?: { from: string; to: string };
  generatedAt: string;
  rows: GainRow[];
  total: GainRow;
  /** Every month of the period, gaps included: what the monthly charts draw whatever `by` is. */
  months: GainRow[];
  /** Every scenario of the period (the ETP by scenario chart). */
  scenarios: GainRow[];
}

export interface GainReportOptions {
  /** @defaultValue 'scenario' */
  by?: GainGrouping;
  /** @defaultValue {@link DEFAULT_HOURS_PER_ETP} */
  hoursPerEtp?: number;
  /**
   * The period reported on. Entries after it are ignored; entries before it count only
   * for the growth, if they fall in the previous period: feed the entries of
   * {@link readRangeOf} to get it. @defaultValue everything
   */
  period?: Period;
  /** The end of a period given without `to`, and the report's date. @defaultValue now */
  now?: Date;
}

const groupOf: Record<GainGrouping, (e: LedgerEntry) => string> = {
  scenario: (e) => e.scenarioId,
  caisse: (e) => e.caisse,
  machine: (e) => e.machine,
  month: (e) => e.finishedAt.slice(0, 7),
  year: (e) => e.finishedAt.slice(0, 4),
};

/** What the report adds up for a group; minutes and milliseconds stay exact until the end. */
class Tally {
  done = 0;
  rejected = 0;
  failed = 0;
  manualMinutes = 0;
  reworkMinutes = 0;
  robotMs = 0;
  readonly machines = new Set<string>();

  add(entry: LedgerEntry): void {
    this[entry.status] += entry.dossiers ?? 1;
    this.manualMinutes += entry.manualMinutesSaved;
    if (entry.status === 'failed') this.reworkMinutes += entry.reworkMinutes ?? 0;
    this.robotMs += entry.robotMs;
    this.machines.add(entry.machine);
  }

  get dossiers(): number {
    return this.done + this.rejected + this.failed;
  }

  /** Minutes saved net of rework: exact as long as the minutes are whole. */
  get netMinutes(): number {
    return this.manualMinutes - this.reworkMinutes;
  }

  get hoursSaved(): number {
    return this.netMinutes / 60;
  }

  row(group: string, hoursPerEtp: number, growth: GainGrowth | null): GainRow {
    const dossiers = this.dossiers;
    return {
      group, dossiers, done: this.done, rejected: this.rejected, failed: this.failed,
      successRate: dossiers > 0 ? this.done / dossiers : null,
      hoursSaved: this.hoursSaved,
      reworkHours: this.reworkMinutes / 60,
      etp: etpFromHours(this.hoursSaved, hoursPerEtp),
      robotHours: this.robotMs / 3_600_000,
      machines: this.machines.size,
      growth,
    };
  }
}

const relative = (now: number, before: number | undefined): number | null => (before !== undefined && before > 0 ? now / before - 1 : null);

function growthOf(current: Tally, previous: Tally | undefined, against: string): GainGrowth | null {
  if (!previous || previous.dossiers === 0) return null;
  return { against, dossiers: relative(current.dossiers, previous.dossiers), hoursSaved: relative(current.netMinutes, previous.netMinutes) };
}

/** Grouped tallies of the period and of the period before it. */
class Grouped {
  readonly current = new Map<string, Tally>();
  readonly previous = new Map<string, Tally>();

  constructor(readonly key: (e: LedgerEntry) => string) {}

  add(entry: LedgerEntry, inPeriod: boolean): void {
    const map = inPeriod ? this.current : this.previous;
    const k = this.key(entry);
    let tally = map.get(k);
    if (!tally) map.set(k, (tally = new Tally()));
    tally.add(entry);
  }

  /** The earlier tally of a key: the same key in the previous period. */
  before(key: string): Tally | undefined {
    return this.previous.get(key);
  }
}

/** Months (`2020-03`) or years (`2020`) one after the other. */
const calendar = {
  month: {
    of: (d: Date) => d.toISOString().slice(0, 7),
    next: (k: string) => new Date(Date.UTC(Number(k.slice(0, 4)), Number(k.slice(5, 7)), 1)).toISOString().slice(0, 7),
    prev: (k: string) => new Date(Date.UTC(Number(k.slice(0, 4)), Number(k.slice(5, 7)) - 2, 1)).toISOString().slice(0, 7),
  },
  year: {
    of: (d: Date) => d.toISOString().slice(0, 4),
    next: (k: string) => String(Number(k) + 1).padStart(4, '0'),
    prev: (k: string) => String(Number(k) - 1).padStart(4, '0'),
  },
};

/** Rows of a time grouping: every month (year) from the period's start to its end, each compared with the one before. */
function timeRows(grouped: Grouped, unit: 'month' | 'year', period: Period, hoursPerEtp: number): GainRow[] {
  const keys = [...grouped.current.keys()].sort();
  const first = period.from ? calendar[unit].of(period.from) : keys[0];
  const last = period.to ? calendar[unit].of(new Date(period.to.getTime() - 1)) : keys.at(-1);
  if (first === undefined || last === undefined) return [];
  const rows: GainRow[] = [];
  for (let k = first; k <= last; k = calendar[unit].next(k)) {
    const prevKey = calendar[unit].prev(k);
    const tally = grouped.current.get(k) ?? new Tally();
    const before = grouped.current.get(prevKey) ?? grouped.previous.get(prevKey);
    rows.push(tally.row(k, hoursPerEtp, growthOf(tally, before, prevKey)));
  }
  return rows;
}

/** Rows of a grouping by name, each compared with the same name in the previous period. */
function namedRows(grouped: Grouped, against: string | undefined, hoursPerEtp: number): GainRow[] {
  return [...grouped.current.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'fr'))
    .map(([k, tally]) => tally.row(k, hoursPerEtp, against ? growthOf(tally, grouped.before(k), against) : null));
}

/** The period the report compares with, if it has a start. */
function comparedPeriod(period: Period, now: Date): ClosedPeriod | undefined {
  return period.from ? previousPeriod({ from: period.from, to: period.to ?? now }) : undefined;
}

/** The entries a report over `period` needs: the period and the one before it (for the growth). */
export function readRangeOf(period: Period = {}, now: Date = new Date()): Period {
  const previous = comparedPeriod(period, now);
  return { ...(previous ? { from: previous.from } : period.from ? { from: period.from } : {}), ...(period.to ? { to: period.to } : {}) };
}

/**
 * Adds up the ledger. Only dossiers done save time; a dossier that failed for good costs
 * its rework, deducted; rejected ones count apart. An entry standing for many dossiers
 * (`dossiers`) counts for all of them.
 */
export async function summarizeGains(entries: Iterable<LedgerEntry> | AsyncIterable<LedgerEntry>, options: GainReportOptions = {}): Promise<GainReport> {
  const by = options.by ?? 'scenario';
  const hoursPerEtp = options.hoursPerEtp ?? DEFAULT_HOURS_PER_ETP;
  if (!(hoursPerEtp > 0)) throw new RangeError(`hoursPerEtp must be greater than 0 (got ${hoursPerEtp})`);
  const now = options.now ?? new Date();
  const period = options.period ?? {};
  if (period.from && period.to && period.from >= period.to) throw new RangeError('the period ends before it starts: --to must be after --from');
  const previous = comparedPeriod(period, now);
  const end = period.to ?? (period.from ? now : undefined);

  const grouped = new Grouped(groupOf[by]);
  const months = new Grouped(groupOf.month);
  const scenarios = new Grouped(groupOf.scenario);
  const total = new Tally();
  const totalBefore = new Tally();
  for await (const entry of entries) {
    const at = Date.parse(entry.finishedAt);
    if (end && at >= end.getTime()) continue;
    const inPeriod = !period.from || at >= period.from.getTime();
    if (!inPeriod && !(previous && at >= previous.from.getTime())) continue;
    for (const g of [grouped, months, scenarios]) g.add(entry, inPeriod);
    (inPeriod ? total : totalBefore).add(entry);
  }

  const against = previous ? describePeriod(previous) : undefined;
  const shown: Period = { ...(period.from ? { from: period.from } : {}), ...(end ? { to: end } : {}) };
  return {
    by,
    hoursPerEtp,
    period: { ...(period.from ? { from: period.from.toISOString() } : {}), ...(end ? { to: end.toISOString() } : {}) },
    ...(previous ? { previousPeriod: { from: previous.from.toISOString(), to: previous.to.toISOString() } } : {}),
    generatedAt: now.toISOString(),
    rows: by === 'month' || by === 'year' ? timeRows(grouped, by, shown, hoursPerEtp) : namedRows(grouped, against, hoursPerEtp),
    total: total.row('Total', hoursPerEtp, against ? growthOf(total, totalBefore, against) : null),
    months: timeRows(months, 'month', shown, hoursPerEtp),
    scenarios: namedRows(scenarios, against, hoursPerEtp),
  };
}
