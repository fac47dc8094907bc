import { describe, expect, it } from 'vitest';
import { dipaAdvanceCents, dipaPeriodOf } from '../../domain/dipa.ts';

describe('the DIPA rule', () => {
  it('pays an advance of 80 % of the computed aid, never a cent more', () => {
    expect(dipaAdvanceCents(100_000)).toBe(80_000);
    expect(dipaAdvanceCents(12_345)).toBe(9_876); // 9 876.0
    expect(dipaAdvanceCents(3)).toBe(2); // 2.4 rounded down
    expect(dipaAdvanceCents(12_346) / 12_346).toBeLessThanOrEqual(0.8);
  });

  it('places a request in the period that wholly contains it', () => {
    expect(dipaPeriodOf('2020-03-16', '2020-06-30')).toBe('P1');
    expect(dipaPeriodOf('2020-04-01', '2020-04-30')).toBe('P1');
    expect(dipaPeriodOf('2020-10-15', '2020-12-31')).toBe('P2');
  });

  it('refuses dates outside or straddling the periods', () => {
    expect(dipaPeriodOf('2020-01-01', '2020-01-31')).toBeUndefined();
    expect(dipaPeriodOf('2020-03-15', '2020-06-30')).toBeUndefined();
    expect(dipaPeriodOf('2020-06-01', '2020-10-31')).toBeUndefined();
    expect(dipaPeriodOf('2020-05-01', '2020-04-01')).toBeUndefined();
  });
});
