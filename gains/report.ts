import { DEFAULT_HOURS_PER_ETP, etpFromHours, etpOver } from './etp.ts';
import type { LedgerEntry } from './ledger-entry.ts';
import { describePeriod, overlapOf, previousPeriod, yearsIn, type ClosedPeriod, type Period } from './period.ts';

export type GainGrouping = 'scenario' | 'caisse' | 'machine' | 'month' | 'year';

/**
 * What the report adds up: a ledger entry, or a rollup of the dossiers of one day, scenario,
 * caisse, machine and status (gains/rollups.ts), which adds up to the same.
 */
export type GainFigures = Pick<LedgerEntry, 'scenarioId' | 'caisse' | 'machine' | 'status' | 'dossiers' | 'manualMinutesSaved' | 'reworkMinutes' | 'robotMs' | 'finishedAt'> & {
  /** The machines these figures count, when they are not one `machine` (a rollup by scenario and caisse). */
  machines?: readonly string[];
  /**
   * For a report by machine read from the rollups: `rows`, figures of the rows only (per machine
   * and status, without scenario or caisse); `others`, figures of everything else (totals, months,
   * scenarios), not of the rows. The two add up to the same dossiers. Absent: everything.
   */
  only?: 'rows' | 'others';
};

/**
 * Relative change against an earlier row: `0.56` is +56 %; `null` when the earlier figure
 * is zero or unknown. Like with like: the report's period is compared with the previous
 * period, of the same length (the same number of months, else the same duration); a month
 * (year) with the one before, both as rates over the part of them the report covers, so
 * that a month the period begins on the 16th is not read as a fall.
 */
export interface GainGrowth {
  /** What the row is compared with: the previous month or year, or the same group in the previous period. */
  against: string;
  dossiers: number | null;
  hoursSaved: number | null;
  /** The change of the ETP rate. */
  etp: number | null;
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
  /**
   * ETP over the row's period, a rate: hours saved ÷ (hours per ETP × `years`), people
   * working full time over that period. Never a sum of yearly figures (that is {@link etpYears}).
   */
  etp: number;
  /** The length in years of the period `etp` is over: its month or year (within the report's span), else the report's span. */
  years: number;
  /** Cumulative "années-ETP": hours saved ÷ hours per ETP; shown only under that name. */
  etpYears: number;
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
  /**
   * What ETP rates are measured over: the period, an open start closed by the first month
   * the ledger covers and an open end by `now` (after `from`) or the end of the last month
   * covered; absent for an empty ledger without bounds. `years` by {@link yearsIn}.
   */
  span?: { from: string; to: string; years: number };
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

const groupOf: Record<GainGrouping, (e: GainFigures) => string> = {
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

  add(entry: GainFigures): void {
    this[entry.status] += entry.dossiers ?? 1;
    this.manualMinutes += entry.manualMinutesSaved;
    if (entry.status === 'failed') this.reworkMinutes += entry.reworkMinutes ?? 0;
    this.robotMs += entry.robotMs;
    for (const machine of entry.machines ?? [entry.machine]) if (machine) this.machines.add(machine);
  }

  /** This tally and another added up, neither changed. */
  plus(other: Tally | undefined): Tally {
    const sum = Object.assign(new Tally(), this, { machines: new Set([...this.machines, ...(other?.machines ?? [])]) });
    if (other) {
      sum.done += other.done;
      sum.rejected += other.rejected;
      sum.failed += other.failed;
      sum.manualMinutes += other.manualMinutes;
      sum.reworkMinutes += other.reworkMinutes;
      sum.robotMs += other.robotMs;
    }
    return sum;
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

  row(group: string, hoursPerEtp: number, years: number, growth: GainGrowth | null): GainRow {
    const dossiers = this.dossiers;
    return {
      group, dossiers, done: this.done, rejected: this.rejected, failed: this.failed,
      successRate: dossiers > 0 ? this.done / dossiers : null,
      hoursSaved: this.hoursSaved,
      reworkHours: this.reworkMinutes / 60,
      etp: etpOver(this.hoursSaved, years, hoursPerEtp),
      years,
      etpYears: etpFromHours(this.hoursSaved, hoursPerEtp),
      robotHours: this.robotMs / 3_600_000,
      machines: this.machines.size,
      growth,
    };
  }
}

const relative = (now: number, before: number): number | null => (before > 0 ? now / before - 1 : null);

/** A tally over a period of `years`. */
interface Measured {
  tally: Tally;
  years: number;
}

/** Growth of figures per year of each period (ETP is already one): over periods of equal length, the plain ratio. */
function growthOf(current: Measured, previous: Measured | undefined, against: string): GainGrowth | null {
  if (!previous || previous.tally.dossiers === 0 || !(previous.years > 0) || !(current.years > 0)) return null;
  const rate = (m: Measured, value: (t: Tally) => number) => value(m.tally) / m.years;
  const change = (value: (t: Tally) => number) => relative(rate(current, value), rate(previous, value));
  return { against, dossiers: change((t) => t.dossiers), hoursSaved: change((t) => t.netMinutes), etp: change((t) => t.netMinutes) };
}

/** Grouped tallies of the period and of the period before it. */
class Grouped {
  readonly current = new Map<string, Tally>();
  readonly previous = new Map<string, Tally>();

  constructor(readonly key: (e: GainFigures) => string) {}

  add(entry: GainFigures, inPeriod: boolean): void {
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
    period: (k: string): ClosedPeriod => ({ from: new Date(Date.UTC(Number(k.slice(0, 4)), Number(k.slice(5, 7)) - 1, 1)), to: new Date(Date.UTC(Number(k.slice(0, 4)), Number(k.slice(5, 7)), 1)) }),
    next: (k: string) => new Date(Date.UTC(Number(k.slice(0, 4)), Number(k.slice(5, 7)), 1)).toISOString().slice(0, 7),
    prev: (k: string) => new Date(Date.UTC(Number(k.slice(0, 4)), Number(k.slice(5, 7)) - 2, 1)).toISOString().slice(0, 7),
  },
  year: {
    of: (d: Date) => d.toISOString().slice(0, 4),
    period: (k: string): ClosedPeriod => ({ from: new Date(Date.UTC(Number(k), 0, 1)), to: new Date(Date.UTC(Number(k) + 1, 0, 1)) }),
    next: (k: string) => String(Number(k) + 1).padStart(4, '0'),
    prev: (k: string) => String(Number(k) - 1).padStart(4, '0'),
  },
};

/** Years of a month (year) inside a stretch of time: its whole length, or the part the stretch covers. */
function yearsOfUnit(unit: 'month' | 'year', key: string, within: ClosedPeriod | undefined): number {
  const part = within && overlapOf(calendar[unit].period(key), within);
  return part ? yearsIn(part) : 0;
}

/**
 * Rows of a time grouping: every month (year) of the span, each compared with the one
 * before; a row's ETP is over its month (year), or the part of it the span covers.
 */
function timeRows(grouped: Grouped, unit: 'month' | 'year', span: ClosedPeriod | undefined, compared: ClosedPeriod | undefined, hoursPerEtp: number): GainRow[] {
  if (!span) return [];
  const first = calendar[unit].of(span.from);
  const last = calendar[unit].of(new Date(span.to.getTime() - 1));
  const rows: GainRow[] = [];
  for (let k = first; k <= last; k = calendar[unit].next(k)) {
    const prevKey = calendar[unit].prev(k);
    const tally = grouped.current.get(k) ?? new Tally();
    const years = yearsOfUnit(unit, k, span);
    // The month before may straddle the report's start: both halves count, over the part of it either period covers.
    const stored = grouped.current.get(prevKey);
    const earlier = grouped.previous.get(prevKey);
    const before = stored || earlier ? { tally: (stored ?? new Tally()).plus(earlier), years: yearsOfUnit(unit, prevKey, compared) } : undefined;
    rows.push(tally.row(k, hoursPerEtp, years, growthOf({ tally, years }, before, prevKey)));
  }
  return rows;
}

/** French order of names; one collator, as `localeCompare(b, 'fr')` builds one a call (seconds over thousands of machines). */
const frenchOrder = new Intl.Collator('fr').compare;

/** Rows of a grouping by name, over the report's span, each compared with the same name in the previous period. */
function namedRows(grouped: Grouped, span: ClosedPeriod | undefined, against: string | undefined, hoursPerEtp: number): GainRow[] {
  const years = span ? yearsIn(span) : 0;
  return [...grouped.current.entries()]
    .sort(([a], [b]) => frenchOrder(a, b))
    .map(([k, tally]) => {
      const before = grouped.before(k);
      // The previous period has the span's length by construction: the plain ratio is like with like.
      return tally.row(k, hoursPerEtp, years, against ? growthOf({ tally, years }, before && { tally: before, years }, against) : null);
    });
}

/**
 * What ETP rates are over: the period, an open start closed by the first month with an
 * entry, an open end by `end` or else the end of the last month with one.
 */
function spanOf(period: Period, end: Date | undefined, monthsCovered: Iterable<string>): ClosedPeriod | undefined {
  const keys = [...monthsCovered].sort();
  const from = period.from ?? (keys[0] === undefined ? undefined : calendar.month.period(keys[0]).from);
  const to = end ?? (keys.at(-1) === undefined ? undefined : calendar.month.period(keys.at(-1)!).to);
  return from && to && from < to ? { from, to } : undefined;
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
export async function summarizeGains(entries: Iterable<GainFigures> | AsyncIterable<GainFigures>, options: GainReportOptions = {}): Promise<GainReport> {
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
    if (entry.only !== 'others') grouped.add(entry, inPeriod);
    if (entry.only === 'rows') continue;
    months.add(entry, inPeriod);
    scenarios.add(entry, inPeriod);
    (inPeriod ? total : totalBefore).add(entry);
  }

  const against = previous ? describePeriod(previous) : undefined;
  const span = spanOf(period, end, months.current.keys());
  const years = span ? yearsIn(span) : 0;
  // Time rows compare with the unit before, which may lie in the previous period.
  const compared = span && { from: previous?.from ?? span.from, to: span.to };
  return {
    by,
    hoursPerEtp,
    period: { ...(period.from ? { from: period.from.toISOString() } : {}), ...(end ? { to: end.toISOString() } : {}) },
    ...(previous ? { previousPeriod: { from: previous.from.toISOString(), to: previous.to.toISOString() } } : {}),
    ...(span ? { span: { from: span.from.toISOString(), to: span.to.toISOString(), years } } : {}),
    generatedAt: now.toISOString(),
    rows: by === 'month' || by === 'year' ? timeRows(grouped, by, span, compared, hoursPerEtp) : namedRows(grouped, span, against, hoursPerEtp),
    total: total.row('Total', hoursPerEtp, years, against ? growthOf({ tally: total, years }, { tally: totalBefore, years }, against) : null),
    months: timeRows(months, 'month', span, compared, hoursPerEtp),
    scenarios: namedRows(scenarios, span, against, hoursPerEtp),
  };
}
