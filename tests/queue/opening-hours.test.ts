import { describe, expect, it } from 'vitest';
import { openingHoursSchema, type OpeningHours } from '../../core/capacity.ts';
import { isOpen, nextOpening, ScheduleNeverOpens } from '../../queue/fleet/opening-hours.ts';

/** Progrès: entries 07:00–19:00 on working days, Paris time, closed on public holidays. */
const progres = openingHoursSchema.parse({ from: '07:00', to: '19:00' });
const hours = (over: object): OpeningHours => openingHoursSchema.parse({ from: '07:00', to: '19:00', ...over });
const at = (iso: string) => new Date(iso);
const next = (h: OpeningHours, iso: string) => nextOpening(h, at(iso)).toISOString();

describe('opening hours of a caisse in Alsace-Moselle', () => {
  it('stays closed on Good Friday and on 26 December, which the rest of France works', () => {
    const strasbourg = hours({ holidayCalendar: 'alsace-moselle' });
    // Friday 18 April 2025, 10:00 in Strasbourg (UTC+2).
    expect(isOpen(progres, at('2025-04-18T08:00:00Z'))).toBe(true);
    expect(isOpen(strasbourg, at('2025-04-18T08:00:00Z'))).toBe(false);
    // Good Friday, then the weekend and Easter Monday: open again on Tuesday 22 at 07:00.
    expect(next(strasbourg, '2025-04-18T08:00:00Z')).toBe('2025-04-22T05:00:00.000Z');
    expect(isOpen(strasbourg, at('2025-12-26T09:00:00Z'))).toBe(false);
    expect(openingHoursSchema.safeParse({ from: '07:00', to: '19:00', holidayCalendar: 'bretagne' }).error?.issues[0]?.message).toBe('write "france" or "alsace-moselle"');
  });
});

describe('opening hours on a working week in Paris', () => {
  it('is open during the day and closed before, at and after the closing time', () => {
    // Thursday 12 March 2026, winter time (UTC+1).
    expect(isOpen(progres, at('2026-03-12T08:00:00Z'))).toBe(true);
    expect(isOpen(progres, at('2026-03-12T05:59:59.999Z'))).toBe(false);
    expect(isOpen(progres, at('2026-03-12T06:00:00Z'))).toBe(true);
    expect(isOpen(progres, at('2026-03-12T17:59:59.999Z'))).toBe(true);
    expect(isOpen(progres, at('2026-03-12T18:00:00Z'))).toBe(false);
  });

  it('answers the instant itself when open, else the next opening', () => {
    expect(next(progres, '2026-03-12T08:00:00Z')).toBe('2026-03-12T08:00:00.000Z');
    expect(next(progres, '2026-03-12T05:30:00Z')).toBe('2026-03-12T06:00:00.000Z');
  });

  it('waits for the next morning in the evening', () => {
    expect(next(progres, '2026-03-12T19:00:00Z')).toBe('2026-03-13T06:00:00.000Z');
  });

  it('waits for Monday over the weekend', () => {
    expect(isOpen(progres, at('2026-03-14T10:00:00Z'))).toBe(false);
    expect(next(progres, '2026-03-13T18:00:00Z')).toBe('2026-03-16T06:00:00.000Z'); // Friday 19:00
    expect(next(progres, '2026-03-14T10:00:00Z')).toBe('2026-03-16T06:00:00.000Z'); // Saturday
    expect(next(progres, '2026-03-15T22:59:59Z')).toBe('2026-03-16T06:00:00.000Z'); // Sunday, 23:59 local
  });

  it('stays closed on public holidays, unless told otherwise', () => {
    // Easter Monday 21 April 2025, summer time (UTC+2).
    expect(isOpen(progres, at('2025-04-21T08:00:00Z'))).toBe(false);
    expect(next(progres, '2025-04-21T08:00:00Z')).toBe('2025-04-22T05:00:00.000Z');
    expect(isOpen(hours({ closedOnPublicHolidays: false }), at('2025-04-21T08:00:00Z'))).toBe(true);
    // Ascension Thursday 29 May 2025.
    expect(next(progres, '2025-05-28T17:30:00Z')).toBe('2025-05-30T05:00:00.000Z');
  });

  it('skips a run of closed days: Christmas Eve evening, Christmas, the weekend', () => {
    expect(next(progres, '2026-12-24T18:30:00Z')).toBe('2026-12-28T06:00:00.000Z');
  });

  it('opens only on the days listed', () => {
    const saturdays = hours({ days: [6] });
    expect(isOpen(saturdays, at('2026-03-12T08:00:00Z'))).toBe(false);
    expect(next(saturdays, '2026-03-12T08:00:00Z')).toBe('2026-03-14T06:00:00.000Z');
  });

  it('reads "24:00" as open until midnight', () => {
    const late = hours({ to: '24:00' });
    expect(isOpen(late, at('2026-03-12T22:59:59Z'))).toBe(true);
    expect(isOpen(late, at('2026-03-12T23:00:00Z'))).toBe(false);
    expect(next(late, '2026-03-12T23:00:00Z')).toBe('2026-03-13T06:00:00.000Z');
  });
});

describe('opening hours across the changes of time in Paris', () => {
  it('opens at 07:00 summer time on the Monday after clocks go forward', () => {
    // Friday 28 March 2025 19:00 CET; clocks go forward on Sunday 30 March.
    expect(next(progres, '2025-03-28T18:00:00Z')).toBe('2025-03-31T05:00:00.000Z');
    expect(isOpen(progres, at('2025-03-31T04:59:59Z'))).toBe(false);
  });

  it('opens at 07:00 winter time on the Monday after clocks go back', () => {
    // Friday 24 October 2025 19:00 CEST; clocks go back on Sunday 26 October.
    expect(next(progres, '2025-10-24T17:00:00Z')).toBe('2025-10-27T06:00:00.000Z');
    expect(isOpen(progres, at('2025-10-27T05:59:59Z'))).toBe(false);
  });

  it('opens at the jump when the opening time does not exist that night', () => {
    // 02:30 does not exist on 30 March 2025: clocks go from 02:00 to 03:00 (01:00Z).
    const night = hours({ days: [7], from: '02:30', to: '03:30', closedOnPublicHolidays: false });
    expect(next(night, '2025-03-29T12:00:00Z')).toBe('2025-03-30T01:00:00.000Z');
    expect(isOpen(night, at('2025-03-30T00:59:59.999Z'))).toBe(false);
    expect(isOpen(night, at('2025-03-30T01:00:00Z'))).toBe(true);
    expect(isOpen(night, at('2025-03-30T01:30:00Z'))).toBe(false); // 03:30 CEST
  });

  it('counts a repeated time at its first occurrence when clocks go back', () => {
    // On 26 October 2025 02:00–03:00 happens twice; 02:30 first comes at 00:30Z, 03:30 at 02:30Z.
    const night = hours({ days: [7], from: '02:30', to: '03:30', closedOnPublicHolidays: false });
    expect(next(night, '2025-10-25T12:00:00Z')).toBe('2025-10-26T00:30:00.000Z');
    expect(isOpen(night, at('2025-10-26T01:45:00Z'))).toBe(true); // the second 02:45
    expect(isOpen(night, at('2025-10-26T02:30:00Z'))).toBe(false);
    // Closing at the first 02:30 means no reopening for the repeated half hour.
    const early = hours({ days: [7], from: '01:00', to: '02:30', closedOnPublicHolidays: false });
    expect(isOpen(early, at('2025-10-26T00:29:59Z'))).toBe(true);
    expect(isOpen(early, at('2025-10-26T01:15:00Z'))).toBe(false); // the second 02:15
    expect(next(early, '2025-10-26T01:15:00Z')).toBe('2025-11-02T00:00:00.000Z'); // next Sunday 01:00 CET
  });
});

describe('opening hours in other time zones', () => {
  it('reads the hours of French Guiana on its own clock (UTC−3, no change of time)', () => {
    const cayenne = hours({ timezone: 'America/Cayenne', from: '07:30', to: '16:00' });
    expect(isOpen(cayenne, at('2025-06-02T10:00:00Z'))).toBe(false); // 07:00 in Cayenne, 12:00 in Paris
    expect(next(cayenne, '2025-06-02T10:00:00Z')).toBe('2025-06-02T10:30:00.000Z');
    expect(isOpen(cayenne, at('2025-06-02T18:59:59Z'))).toBe(true); // 15:59 in Cayenne, 20:59 in Paris
    // The national holidays of the local calendar: 14 July 2025 is a Monday.
    expect(next(cayenne, '2025-07-14T12:00:00Z')).toBe('2025-07-15T10:30:00.000Z');
  });

  it('follows a change of time that is not Paris’s (New York, 9 March 2025)', () => {
    const newYork = hours({ timezone: 'America/New_York', from: '09:00', to: '17:00', closedOnPublicHolidays: false });
    expect(next(newYork, '2025-03-07T22:00:00Z')).toBe('2025-03-10T13:00:00.000Z'); // 09:00 EDT
    expect(next(newYork, '2025-03-03T12:00:00Z')).toBe('2025-03-03T14:00:00.000Z'); // 09:00 EST
  });

  it('takes the local date for holidays: 1 May starts earlier in Réunion (UTC+4)', () => {
    const reunion = hours({ timezone: 'Indian/Reunion', from: '00:00', to: '24:00', days: [1, 2, 3, 4, 5, 6, 7] });
    expect(isOpen(reunion, at('2025-04-30T19:59:59Z'))).toBe(true);
    expect(isOpen(reunion, at('2025-04-30T20:00:00Z'))).toBe(false); // 1 May 00:00 in Réunion
    expect(next(reunion, '2025-04-30T20:00:00Z')).toBe('2025-05-01T20:00:00.000Z');
  });
});

describe('the first opening, checked against isOpen', () => {
  it('is open, is not before the instant asked, and is closed just before when it is later', () => {
    const schedules = [progres, hours({ from: '02:15', to: '03:45', days: [7] }), hours({ timezone: 'America/New_York', from: '08:30', to: '17:30' })];
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const start = Date.parse('2025-01-01T00:00:00Z');
    const span = Date.parse('2027-01-01T00:00:00Z') - start;
    for (let i = 0; i < 600; i++) {
      const h = schedules[i % schedules.length]!;
      const t = new Date(start + Math.floor(random() * span));
      const opens = nextOpening(h, t);
      expect(opens.getTime()).toBeGreaterThanOrEqual(t.getTime());
      expect(isOpen(h, opens)).toBe(true);
      if (opens.getTime() > t.getTime()) expect(isOpen(h, new Date(opens.getTime() - 1))).toBe(false);
      expect(isOpen(h, t)).toBe(opens.getTime() === t.getTime());
    }
  });
});

describe('schedules that cannot be used', () => {
  it('refuses a schedule with no open day, saying what to give', () => {
    const never = { ...progres, days: [] };
    expect(isOpen(never, at('2026-03-12T08:00:00Z'))).toBe(false);
    expect(() => nextOpening(never, at('2026-03-12T08:00:00Z'))).toThrow(ScheduleNeverOpens);
    expect(() => nextOpening(never, at('2026-03-12T08:00:00Z'))).toThrow(/never open: no open day/);
  });

  it('refuses an invalid instant', () => {
    expect(() => nextOpening(progres, new Date('not a date'))).toThrow(/invalid Date/);
  });
});
