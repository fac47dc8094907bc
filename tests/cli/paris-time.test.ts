import { describe, expect, it } from 'vitest';
import { formatParisDateTime, InvalidDateTime, parseParisDateTime } from '../../cli/paris-time.ts';

describe('times typed in Paris', () => {
  it('reads dd/mm/yyyy HH:MM as Paris time, winter and summer', () => {
    expect(parseParisDateTime('03/12/2026 20:00').toISOString()).toBe('2026-12-03T19:00:00.000Z');
    expect(parseParisDateTime('15/07/2026 08:30').toISOString()).toBe('2026-07-15T06:30:00.000Z');
    expect(parseParisDateTime(' 5/1/2027 7h05 ').toISOString()).toBe('2027-01-05T06:05:00.000Z');
  });

  it('reads an ISO date-time with its offset, and one without as Paris time', () => {
    expect(parseParisDateTime('2026-12-03T20:00:00Z').toISOString()).toBe('2026-12-03T20:00:00.000Z');
    expect(parseParisDateTime('2026-07-15T08:30:00+02:00').toISOString()).toBe('2026-07-15T06:30:00.000Z');
    expect(parseParisDateTime('2026-07-15T08:30').toISOString()).toBe('2026-07-15T06:30:00.000Z');
  });

  it('refuses what is not a moment, saying why', () => {
    expect(() => parseParisDateTime('31/02/2027 08:00')).toThrow('"31/02/2027 08:00" is not a date of the calendar');
    expect(() => parseParisDateTime('03/12/2026 25:00')).toThrow('is not a time of day');
    expect(() => parseParisDateTime('03/12/2026')).toThrow('has no time of day');
    expect(() => parseParisDateTime('demain')).toThrow(InvalidDateTime);
  });

  it('shows a moment in Paris time', () => {
    expect(formatParisDateTime('2026-12-03T19:00:00.000Z')).toBe('03/12/2026 20:00');
    expect(formatParisDateTime(new Date('2026-07-15T06:30:00Z'))).toBe('15/07/2026 08:30');
  });
});
