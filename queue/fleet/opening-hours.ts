import type { OpeningHours } from '../../core/capacity.ts';
import { ProwebError } from '../../core/errors.ts';
import { firstInstantReading, wallClock } from '../../core/wall-clock.ts';
import { isPublicHoliday } from '../../domain/public-holidays.ts';

/**
 * When a back office takes entries, read on the wall clock of its own time zone.
 *
 * A day is open from the first instant its clock reads `from` to the first instant it
 * reads `to`. On the night clocks go forward, a time that does not exist opens at the
 * jump; on the night they go back, a repeated time counts at its first occurrence, so
 * an application never reopens for the repeated hour.
 */

/** Opening hours that can never open (no open day): the dossiers would wait for ever. */
export class ScheduleNeverOpens extends ProwebError {
  override name = 'ScheduleNeverOpens';
  constructor(detail: string) {
    super(`these opening hours never open: ${detail}`, 'Give at least one open day in openingHours.days (1 = Monday … 7 = Sunday).');
  }
}

const DAY_MS = 86_400_000;
/** Far more than any run of closed days a schedule with one open weekday can have. */
const SEARCH_DAYS = 400;

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/** A local calendar day, as the UTC midnight of the same date. */
type LocalDay = number;

function isOpenDay(hours: OpeningHours, day: LocalDay): boolean {
  const date = new Date(day);
  const isoWeekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  if (!hours.days.includes(isoWeekday)) return false;
  return !(hours.closedOnPublicHolidays && isPublicHoliday(date.toISOString().slice(0, 10), hours.holidayCalendar));
}

/** The first open interval `[open, close)` that ends after `at`. */
function firstIntervalEndingAfter(hours: OpeningHours, at: Date): { open: number; close: number } {
  const t = at.getTime();
  if (!Number.isFinite(t)) throw new RangeError('opening hours: the instant given is an invalid Date');
  if (hours.days.length === 0) throw new ScheduleNeverOpens('no open day');
  const fromMinutes = minutesOf(hours.from);
  const toMinutes = minutesOf(hours.to);
  const wall = wallClock(t, hours.timezone);
  // Start the day before: near a change of offset at midnight, yesterday's hours may still run.
  let day = wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS) - DAY_MS;
  for (let i = 0; i < SEARCH_DAYS; i++, day += DAY_MS) {
    if (!isOpenDay(hours, day)) continue;
    const open = firstInstantReading(day + fromMinutes * 60_000, hours.timezone);
    const close = firstInstantReading(day + toMinutes * 60_000, hours.timezone);
    if (close > t && close > open) return { open, close };
  }
  throw new ScheduleNeverOpens(`no opening in the ${SEARCH_DAYS} days after ${at.toISOString()} (days ${hours.days.join(', ')}, ${hours.from}–${hours.to})`);
}

/** Whether the application takes entries at instant `at`. A schedule with no open day is never open. */
export function isOpen(hours: OpeningHours, at: Date): boolean {
  if (hours.days.length === 0) return false;
  return firstIntervalEndingAfter(hours, at).open <= at.getTime();
}

/**
 * The first instant at or after `at` when the application is open: `at` itself when
 * it is open now. Closed weekdays and, unless `closedOnPublicHolidays` is false, French
 * public holidays of the local calendar are skipped.
 *
 * @throws {@link ScheduleNeverOpens} when the schedule has no open day.
 */
export function nextOpening(hours: OpeningHours, at: Date): Date {
  const { open } = firstIntervalEndingAfter(hours, at);
  return new Date(Math.max(open, at.getTime()));
}
