import { describe, expect, it } from 'vitest';
import { DEFAULT_HOURS_PER_ETP, etpFromHours, etpOver, roundTo } from '../../gains/etp.ts';

describe('ETP arithmetic', () => {
  it('reproduces the national table: 262.3, 311.7 and 389.9 ETP at 1 365 h per ETP', () => {
    expect(DEFAULT_HOURS_PER_ETP).toBe(1365);
    expect(roundTo(etpFromHours(358_071), 1)).toBe(262.3);
    expect(roundTo(etpFromHours(425_528), 1)).toBe(311.7);
    expect(roundTo(etpFromHours(532_242), 1)).toBe(389.9);
  });

  it('gives the 390 the 2020 report prints once rounded to a whole number', () => {
    expect(roundTo(etpFromHours(532_242), 0)).toBe(390);
  });

  it('takes another number of hours per ETP and refuses a nonsensical one', () => {
    expect(etpFromHours(1607, 1607)).toBe(1);
    expect(() => etpFromHours(10, 0)).toThrow('hoursPerEtp must be greater than 0');
    expect(() => etpOver(10, 1, -1)).toThrow('hoursPerEtp must be greater than 0');
  });

  it('gives ETP as a rate over the period: a year, a month, three years', () => {
    expect(roundTo(etpOver(532_242, 1), 1)).toBe(389.9);
    // 30 000 h saved in a month is 264 people full time that month, not 22.
    expect(roundTo(etpOver(30_000, 1 / 12), 0)).toBe(264);
    expect(roundTo(etpFromHours(30_000), 0)).toBe(22);
    // 2018-2020 together: 321.3 on average, not the 964.0 of the three years added up.
    expect(roundTo(etpOver(358_071 + 425_528 + 532_242, 3), 1)).toBe(321.3);
    expect(roundTo(etpFromHours(358_071 + 425_528 + 532_242), 1)).toBe(964);
  });

  it('gives 0 over no length of time when nothing was saved, and refuses hours saved in no time', () => {
    expect(etpOver(0, 0)).toBe(0);
    expect(() => etpOver(5, 0)).toThrow('hours saved over a period of no length');
  });
});
