import { describe, expect, it } from 'vitest';
import { InputFileError } from '../../core/errors.ts';
import { readCsvRows } from '../../input/csv-rows.ts';
import { writeInputFile } from '../support/files.ts';

const read = async (file: string) => {
  const rows = [];
  for await (const r of readCsvRows(file)) rows.push(r);
  return rows;
};

describe('reading CSV input files', () => {
  it('reads ; separated UTF-8 with a BOM and CRLF, numbering rows as a spreadsheet does', async () => {
    const file = await writeInputFile('a.csv', '\ufeffnumero_ps;montant\r\n591123453;1 234,56\r\n\r\n691234567;12,00\r\n');
    expect(await read(file)).toEqual([
      { rowNumber: 2, raw: { numero_ps: '591123453', montant: '1 234,56' } },
      { rowNumber: 4, raw: { numero_ps: '691234567', montant: '12,00' } },
    ]);
  });

  it('reads , separated files with quoted fields', async () => {
    const file = await writeInputFile('b.csv', 'numero_ps,montant\n591123453,"1234,56"\n');
    expect(await read(file)).toEqual([{ rowNumber: 2, raw: { numero_ps: '591123453', montant: '1234,56' } }]);
  });

  it('says clearly when the file is missing', async () => {
    const error = await read('/nonexistent/dipa.csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputFileError);
    expect((error as Error).message).toBe('/nonexistent/dipa.csv: file not found');
  });

  it('says clearly when the file is not CSV', async () => {
    const file = await writeInputFile('c.csv', `a;b\n"unterminated;1\n`);
    const error = await read(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputFileError);
    expect((error as Error).message).toContain('not a readable CSV file');
  });
});
