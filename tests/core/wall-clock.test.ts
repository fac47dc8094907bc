import { describe, expect, it } from 'vitest';
import { firstInstantReading, formatWallClock, wallClock } from '../../core/wall-clock.ts';

const at = (iso: string) => Date.parse(iso);

describe('wall clocks of time zones', () => {
  it('reads the clock of a time zone, winter and summer', () => {
    expect(new Date(wallClock(at('2026-12-03T06:00:00Z'), 'Europe/Paris')).toISOString()).toBe('2026-12-03T07:00:00.000Z');
    expect(new Date(wallClock(at('2026-07-15T06:30:00Z'), 'Europe/Paris')).toISOString()).toBe('2026-07-15T08:30:00.000Z');
  });

  it('finds the instant a clock first reads a time, the jump for a time that does not exist, the first of a repeated one', () => {
    expect(new Date(firstInstantReading(at('2026-12-03T20:00:00Z'), 'Europe/Paris')).toISOString()).toBe('2026-12-03T19:00:00.000Z');
    // 29 March 2026, 02:30 does not exist in Paris: clocks jump from 02:00 to 03:00 (01:00 UTC).
    expect(new Date(firstInstantReading(at('2026-03-29T02:30:00Z'), 'Europe/Paris')).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // 25 October 2026, 02:30 happens twice; the first time is 00:30 UTC.
    expect(new Date(firstInstantReading(at('2026-10-25T02:30:00Z'), 'Europe/Paris')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('writes dd/mm/yyyy HH:MM on the clock of the time zone', () => {
    expect(formatWallClock(new Date('2026-12-03T06:00:00Z'), 'Europe/Paris')).toBe('03/12/2026 07:00');
    expect(formatWallClock(at('2026-12-03T06:00:00Z'), 'America/Cayenne')).toBe('03/12/2026 03:00');
  });
});
