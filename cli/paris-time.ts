import { ProwebError } from '../core/errors.ts';
import { firstInstantReading, formatWallClock } from '../core/wall-clock.ts';

/** The caisses' time zone: times typed by a person are read there, and shown there. */
export const PARIS = 'Europe/Paris';

/** A date-time a person typed that does not name a moment. */
export class InvalidDateTime extends ProwebError {
  override name = 'InvalidDateTime';
  constructor(readonly text: string, detail: string) {
    super(`"${text}" ${detail}`, 'Give dd/mm/yyyy HH:MM (Paris time), e.g. 03/12/2026 20:00, or an ISO date-time such as 2026-12-03T20:00:00+01:00.');
  }
}

/** The moment a Paris wall-clock time stands for; a time skipped by the spring change is the instant of the jump. */
const fromParis = (year: number, month: number, day: number, hour: number, minute: number, second = 0): number =>
  firstInstantReading(Date.UTC(year, month - 1, day, hour, minute, second), PARIS);

function checkCalendar(text: string, year: number, month: number, day: number, hour: number, minute: number, second: number): void {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) throw new InvalidDateTime(text, 'is not a date of the calendar');
  if (hour > 23 || minute > 59 || second > 59) throw new InvalidDateTime(text, 'is not a time of day');
}

const FRENCH = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T]+(\d{1,2})[:h](\d{2})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A moment typed by a person: `dd/mm/yyyy HH:MM` in Paris time, or an ISO date-time
 * (Paris time when it names no offset).
 * @throws {@link InvalidDateTime}
 */
export function parseParisDateTime(input: string): Date {
  const text = input.trim();
  const french = FRENCH.exec(text);
  if (french) {
    const [day, month, year, hour, minute] = french.slice(1).map(Number) as [number, number, number, number, number];
    checkCalendar(text, year, month, day, hour, minute, 0);
    return new Date(fromParis(year, month, day, hour, minute));
  }
  const iso = ISO.exec(text);
  if (iso) {
    const [year, month, day, hour, minute] = iso.slice(1, 6).map(Number) as [number, number, number, number, number];
    const second = Number(iso[6] ?? 0);
    checkCalendar(text, year, month, day, hour, minute, second);
    if (!iso[7]) return new Date(fromParis(year, month, day, hour, minute, second));
    const at = Date.parse(text.replace(' ', 'T'));
    if (Number.isNaN(at)) throw new InvalidDateTime(text, 'is not a date-time');
    return new Date(at);
  }
  if (/^\d{1,2}\/\d{1,2}\/\d{4}$|^\d{4}-\d{2}-\d{2}$/.test(text)) throw new InvalidDateTime(text, 'has no time of day');
  throw new InvalidDateTime(text, 'is not a date-time');
}

/** `03/12/2026 20:00` (Paris time). */
export function formatParisDateTime(at: Date | string): string {
  return formatWallClock(typeof at === 'string' ? Date.parse(at) : at, PARIS);
}
