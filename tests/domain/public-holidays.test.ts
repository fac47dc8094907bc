import { describe, expect, it } from 'vitest';
import { easterSunday, frenchPublicHolidays, isFrenchPublicHoliday, isPublicHoliday, publicHolidays } from '../../domain/public-holidays.ts';

describe('Easter Sunday (anonymous Gregorian computus)', () => {
  it('falls on the known dates', () => {
    expect(easterSunday(2020)).toEqual([4, 12]);
    expect(easterSunday(2024)).toEqual([3, 31]);
    expect(easterSunday(2025)).toEqual([4, 20]);
    expect(easterSunday(2019)).toEqual([4, 21]);
    expect(easterSunday(2000)).toEqual([4, 23]);
  });

  it('reaches the earliest and latest dates Easter can take', () => {
    expect(easterSunday(2285)).toEqual([3, 22]);
    expect(easterSunday(2038)).toEqual([4, 25]);
  });

  it('refuses years outside the Gregorian calendar', () => {
    expect(() => easterSunday(1582)).toThrow(/1583 to 9999/);
    expect(() => easterSunday(2025.5)).toThrow(RangeError);
  });
});

describe('French public holidays', () => {
  it('lists the eleven holidays of 2025 in calendar order', () => {
    expect(frenchPublicHolidays(2025)).toEqual([
      { date: '2025-01-01', name: 'Jour de l\u2019An' },
      { date: '2025-04-21', name: 'Lundi de Pâques' },
      { date: '2025-05-01', name: 'Fête du Travail' },
      { date: '2025-05-08', name: 'Victoire 1945' },
      { date: '2025-05-29', name: 'Ascension' },
      { date: '2025-06-09', name: 'Lundi de Pentecôte' },
      { date: '2025-07-14', name: 'Fête nationale' },
      { date: '2025-08-15', name: 'Assomption' },
      { date: '2025-11-01', name: 'Toussaint' },
      { date: '2025-11-11', name: 'Armistice 1918' },
      { date: '2025-12-25', name: 'Noël' },
    ]);
  });

  it('moves Easter Monday, Ascension and Whit Monday with Easter', () => {
    const movable = (year: number) =>
      frenchPublicHolidays(year).filter((h) => ['Lundi de Pâques', 'Ascension', 'Lundi de Pentecôte'].includes(h.name)).map((h) => h.date);
    expect(movable(2020)).toEqual(['2020-04-13', '2020-05-21', '2020-06-01']);
    expect(movable(2024)).toEqual(['2024-04-01', '2024-05-09', '2024-05-20']);
  });

  it('keeps both holidays when Ascension falls on 1 May (2008)', () => {
    const firstOfMay = frenchPublicHolidays(2008).filter((h) => h.date === '2008-05-01').map((h) => h.name);
    expect(firstOfMay).toEqual(expect.arrayContaining(['Fête du Travail', 'Ascension']));
    expect(frenchPublicHolidays(2008)).toHaveLength(11);
  });

  it('tells whether a date is a holiday', () => {
    expect(isFrenchPublicHoliday('2025-04-21')).toBe(true);
    expect(isFrenchPublicHoliday('2020-04-13')).toBe(true);
    expect(isFrenchPublicHoliday('2024-05-09')).toBe(true);
    expect(isFrenchPublicHoliday('2025-04-20')).toBe(false); // Easter Sunday itself is a Sunday, not a listed holiday
    expect(isFrenchPublicHoliday('2025-04-22')).toBe(false);
    expect(isFrenchPublicHoliday('2025-12-26')).toBe(false); // Alsace-Moselle only
    expect(isFrenchPublicHoliday('2025-03-12')).toBe(false);
  });

  it('adds Good Friday and 26 December in Alsace-Moselle, and only there', () => {
    const local = publicHolidays(2025, 'alsace-moselle');
    expect(local).toHaveLength(13);
    expect(local.filter((h) => !frenchPublicHolidays(2025).includes(h))).toEqual([
      { date: '2025-04-18', name: 'Vendredi saint' },
      { date: '2025-12-26', name: 'Saint-Étienne' },
    ]);
    expect(local.map((h) => h.date)).toEqual([...local.map((h) => h.date)].sort());
    expect(isPublicHoliday('2020-04-10', 'alsace-moselle')).toBe(true);
    expect(isPublicHoliday('2020-04-10', 'france')).toBe(false);
    expect(isPublicHoliday('2025-12-26')).toBe(false);
  });

  it('refuses text that is not a YYYY-MM-DD date, saying how to write it', () => {
    expect(() => isFrenchPublicHoliday('21/04/2025')).toThrow(/write it as YYYY-MM-DD/);
    expect(() => isFrenchPublicHoliday('2025-02-30')).toThrow(/"2025-02-30" is not a calendar date/);
  });

  it('gives frozen lists, so that a caller cannot change the calendar for others', () => {
    expect(Object.isFrozen(frenchPublicHolidays(2026))).toBe(true);
    expect(frenchPublicHolidays(2026)).toBe(frenchPublicHolidays(2026));
  });
});
