import { describe, expect, it } from 'vitest';
import { formatCentsForDisplay, formatCentsForEntry, formatFrenchDate, parseAmountToCents, parseFrenchDate } from '../../domain/french-formats.ts';

describe('amounts', () => {
  it.each([
    ['1 234,56', 123456], ['1234,56', 123456], ['1234.5', 123450], ['12', 1200], ['1\u00a0234,00', 123400], ['0,07', 7], [' 15,30 € ', 1530],
  ])('reads %j as %i cents', (text, cents) => {
    expect(parseAmountToCents(text)).toBe(cents);
  });

  it.each(['douze', '1.234,56', '12,345', '', '1,2,3'])('refuses %j', (text) => {
    expect(parseAmountToCents(text)).toBeUndefined();
  });

  it('formats cents for typing and for reading', () => {
    expect(formatCentsForEntry(123456)).toBe('1234,56');
    expect(formatCentsForEntry(5)).toBe('0,05');
    expect(formatCentsForDisplay(123456)).toBe('1\u202f234,56 €');
  });
});

describe('dates', () => {
  it('reads dd/mm/yyyy into ISO and back', () => {
    expect(parseFrenchDate('16/03/2020')).toBe('2020-03-16');
    expect(parseFrenchDate('1/7/2020')).toBe('2020-07-01');
    expect(formatFrenchDate('2020-12-31')).toBe('31/12/2020');
  });

  it('refuses dates that do not exist', () => {
    expect(parseFrenchDate('31/02/2020')).toBeUndefined();
    expect(parseFrenchDate('2020-03-16')).toBeUndefined();
  });
});
