/**
 * Report periods. A period is half-open, `[from, to)`, in UTC like the ledger's
 * `finishedAt`; either bound may be left open.
 */
export interface Period {
  from?: Date;
  to?: Date;
}

/** A period with both bounds. */
export interface ClosedPeriod {
  from: Date;
  to: Date;
}

/** Whether a ledger entry's `finishedAt` falls in the period. */
export function finishedWithin(entry: { finishedAt: string }, period: Period): boolean {
  const at = Date.parse(entry.finishedAt);
  return !(period.from && at < period.from.getTime()) && !(period.to && at >= period.to.getTime());
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * Reads a bound as a manager writes it: `2020`, `2020-03`, `2020-03-15`, or a full ISO
 * date-time. A `to` bound written as a year, month or day includes it: `--to 2020`
 * ends on 1 January 2021 at 00:00 UTC, `--to 2020-12-31` at the end of that day.
 *
 * @throws RangeError naming the value when it is not a date.
 */
export function parseDateBound(text: string, edge: 'from' | 'to'): Date {
  const match = DATE.exec(text.trim());
  if (match) {
    const [, y, m, d] = match;
    const year = Number(y);
    const month = m === undefined ? 0 : Number(m) - 1;
    const day = d === undefined ? 1 : Number(d);
    const date = new Date(Date.UTC(year, month, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) {
      throw new RangeError(`"${text}" is not a date (write 2020, 2020-03 or 2020-03-15)`);
    }
    if (edge === 'from') return date;
    if (d !== undefined) return new Date(Date.UTC(year, month, day + 1));
    if (m !== undefined) return new Date(Date.UTC(year, month + 1, 1));
    return new Date(Date.UTC(year + 1, 0, 1));
  }
  const at = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new RangeError(`"${text}" is not a date (write 2020, 2020-03, 2020-03-15 or an ISO date-time)`);
  return new Date(at);
}

const isMonthStart = (d: Date) => d.getUTCDate() === 1 && d.getTime() % 86_400_000 === 0;

/**
 * The period of the same length just before `period`. Periods made of whole calendar
 * months (a year, a quarter, a month) step back by as many months, so that 2020 is
 * compared with 2019 although 2020 has one day more; others step back by their duration.
 */
export function previousPeriod(period: ClosedPeriod): ClosedPeriod {
  const { from, to } = period;
  if (isMonthStart(from) && isMonthStart(to)) {
    const months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth();
    return { from: new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - months, 1)), to: from };
  }
  return { from: new Date(from.getTime() - (to.getTime() - from.getTime())), to: from };
}

/** `2020-01-01 – 2020-12-31`: a period as printed, its end shown inclusive when it falls on midnight. */
export function describePeriod(period: Period): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const from = period.from ? (period.from.getTime() % 86_400_000 === 0 ? day(period.from) : period.from.toISOString()) : '…';
  const to = period.to
    ? period.to.getTime() % 86_400_000 === 0 ? day(new Date(period.to.getTime() - 86_400_000)) : period.to.toISOString()
    : '…';
  return `${from} – ${to}`;
}

const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
const monthAfter = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));

/**
 * A period's length in years, on the calendar: every whole month counts 1/12 of a year
 * whatever its days (a year is 1, 2018–2020 is 3), a part of a month its share of that
 * month's time (1–10 April: 9/30 of 1/12). Whole months add up exactly; 0 when `to` is not after `from`.
 */
export function yearsIn(period: ClosedPeriod): number {
  const from = period.from.getTime();
  const to = period.to.getTime();
  let whole = 0;
  let part = 0;
  for (let start = monthStart(period.from); start.getTime() < to; ) {
    const next = monthAfter(start);
    const a = Math.max(start.getTime(), from);
    const b = Math.min(next.getTime(), to);
    if (a === start.getTime() && b === next.getTime()) whole++;
    else if (b > a) part += (b - a) / (next.getTime() - start.getTime());
    start = next;
  }
  return (whole + part) / 12;
}

/** The part of `period` inside `within`, or `undefined` when they do not meet. */
export function overlapOf(period: ClosedPeriod, within: ClosedPeriod): ClosedPeriod | undefined {
  const from = period.from > within.from ? period.from : within.from;
  const to = period.to < within.to ? period.to : within.to;
  return from < to ? { from, to } : undefined;
}

/** `1 year`, `3 years`, `1 month`, `10 days = 0.027 year`: a length as the ETP line prints it. */
export function describeLength(period: ClosedPeriod): string {
  const months = yearsIn(period) * 12;
  const m = Math.round(months);
  if (m > 0 && Math.abs(months - m) < 1e-9) {
    if (m % 12 === 0) return m === 12 ? '1 year' : `${m / 12} years`;
    return m === 1 ? '1 month' : `${m} months`;
  }
  const days = Math.round(((period.to.getTime() - period.from.getTime()) / 86_400_000) * 10) / 10;
  const years = (months / 12).toFixed(3);
  return `${days} ${days === 1 ? 'day' : 'days'} = ${years} ${Number(years) > 1 ? 'years' : 'year'}`;
}
