import { describe, expect, it } from 'vitest';
import { describeLength, describePeriod, overlapOf, parseDateBound, previousPeriod, yearsIn } from '../../gains/period.ts';

const iso = (d: Date) => d.toISOString();

describe('report periods', () => {
  it('reads a year, a month or a day, a --to bound including it', () => {
    expect(iso(parseDateBound('2020', 'from'))).toBe('2020-01-01T00:00:00.000Z');
    expect(iso(parseDateBound('2020', 'to'))).toBe('2021-01-01T00:00:00.000Z');
    expect(iso(parseDateBound('2020-02', 'to'))).toBe('2020-03-01T00:00:00.000Z');
    expect(iso(parseDateBound('2020-12-31', 'to'))).toBe('2021-01-01T00:00:00.000Z');
    expect(iso(parseDateBound('2020-03-15', 'from'))).toBe('2020-03-15T00:00:00.000Z');
    expect(iso(parseDateBound('2020-03-15T10:30:00Z', 'to'))).toBe('2020-03-15T10:30:00.000Z');
  });

  it('refuses what is not a date, naming it', () => {
    expect(() => parseDateBound('2020-02-30', 'from')).toThrow('"2020-02-30" is not a date');
    expect(() => parseDateBound('15/03/2020', 'from')).toThrow('"15/03/2020" is not a date');
    expect(() => parseDateBound('2020-13', 'to')).toThrow('is not a date');
  });

  it('steps back by whole months for calendar periods, else by the duration', () => {
    const year = previousPeriod({ from: parseDateBound('2020', 'from'), to: parseDateBound('2020', 'to') });
    expect([iso(year.from), iso(year.to)]).toEqual(['2019-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z']);
    const quarter = previousPeriod({ from: parseDateBound('2020-01', 'from'), to: parseDateBound('2020-03', 'to') });
    expect(iso(quarter.from)).toBe('2019-10-01T00:00:00.000Z');
    const week = previousPeriod({ from: parseDateBound('2020-03-16', 'from'), to: parseDateBound('2020-03-22', 'to') });
    expect([iso(week.from), iso(week.to)]).toEqual(['2020-03-09T00:00:00.000Z', '2020-03-16T00:00:00.000Z']);
  });

  it('measures a length in years on the calendar: a month 1/12 whatever its days, a part of one its share', () => {
    const period = (from: string, to: string) => ({ from: parseDateBound(from, 'from'), to: parseDateBound(to, 'to') });
    expect(yearsIn(period('2020', '2020'))).toBe(1);
    expect(yearsIn(period('2018', '2020'))).toBe(3);
    expect(yearsIn(period('2020-02', '2020-02'))).toBe(1 / 12);
    expect(yearsIn(period('2020-03', '2020-03'))).toBe(1 / 12);
    expect(yearsIn(period('2020-04-16', '2020-04-30'))).toBe(0.5 / 12);
    expect(yearsIn(period('2020-01-17', '2020-02-14'))).toBeCloseTo((15 / 31 + 14 / 29) / 12, 15);
    expect(yearsIn({ from: new Date('2020-05-01'), to: new Date('2020-04-01') })).toBe(0);
    expect(describeLength(period('2018', '2020'))).toBe('3 years');
    expect(describeLength(period('2020', '2020'))).toBe('1 year');
    expect(describeLength(period('2020-01', '2020-03'))).toBe('3 months');
    expect(describeLength(period('2020-04-16', '2020-04-30'))).toBe('15 days = 0.042 year');
    expect(overlapOf(period('2020-04', '2020-04'), period('2020-04-16', '2020-06'))).toEqual(period('2020-04-16', '2020-04-30'));
    expect(overlapOf(period('2020-03', '2020-03'), period('2020-04-16', '2020-06'))).toBeUndefined();
  });

  it('prints a period with its last day included', () => {
    expect(describePeriod({ from: parseDateBound('2020', 'from'), to: parseDateBound('2020', 'to') })).toBe('2020-01-01 – 2020-12-31');
    expect(describePeriod({ from: parseDateBound('2020-03-15', 'from') })).toBe('2020-03-15 – …');
  });
});
