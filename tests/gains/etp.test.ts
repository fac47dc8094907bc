import { describe, expect, it } from 'vitest';
import { DEFAULT_HOURS_PER_ETP, etpFromHours, roundTo } from '../../gains/etp.ts';

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
  });
});
