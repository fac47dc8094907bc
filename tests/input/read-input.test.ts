import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { InputFileError } from '../../core/errors.ts';
import { normalizeHeader } from '../../input/headers.ts';
import { readInputRows } from '../../input/read-input.ts';
import { writeInputFile } from '../support/files.ts';

const read = async (file: string) => {
  const rows = [];
  for await (const r of readInputRows(file)) rows.push(r);
  return rows;
};
const failure = (file: string) => read(file).then(
  () => expect.fail('expected an InputFileError'),
  (e: unknown) => {
    expect(e).toBeInstanceOf(InputFileError);
    return (e as Error).message;
  },
);

/** Bytes as Excel's "CSV (séparateur: point-virgule)" writes them on a French Windows: Windows-1252, CRLF. */
const cp1252 = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'ascii') : Buffer.from(p))));
const E_ACUTE = [0xe9];
const EURO = [0x80];

describe('CSV encodings', () => {
  const expected = [{ rowNumber: 2, raw: { numero_ps: '591097126', categorie: 'Chirurgien-dentiste', nom: 'Hélène', aide: '12 €' } }];

  it('reads UTF-8 without a BOM', async () => {
    const file = await writeInputFile('a.csv', 'Numéro PS;Catégorie;Nom;Aide\n591097126;Chirurgien-dentiste;Hélène;12 €\n');
    expect(await read(file)).toEqual(expected);
  });

  it('reads UTF-8 with a BOM', async () => {
    const file = await writeInputFile('a.csv', '\ufeffNuméro PS;Catégorie;Nom;Aide\r\n591097126;Chirurgien-dentiste;Hélène;12 €\r\n');
    expect(await read(file)).toEqual(expected);
  });

  it('reads Windows-1252, € (0x80) included', async () => {
    const bytes = cp1252('Num', E_ACUTE, 'ro PS;Cat', E_ACUTE, 'gorie;Nom;Aide\r\n591097126;Chirurgien-dentiste;H', E_ACUTE, 'l', [0xe8], 'ne;12 ', EURO, '\r\n');
    expect(bytes.includes(0xc3)).toBe(false); // not a byte of UTF-8 "é"
    const file = await writeInputFile('a.csv', bytes);
    expect(await read(file)).toEqual(expected);
  });

  it('reads Windows-1252 whose first accent comes after the first chunk', async () => {
    const filler = Array.from({ length: 3000 }, (_, i) => `${String(i).padStart(9, '0')};plain ascii row\r\n`).join('');
    const file = await writeInputFile('late.csv', cp1252('numero;nom\r\n', filler, '999999999;Chirurgien-dentiste ', E_ACUTE, EURO, '\r\n'));
    const rows = await read(file);
    expect(rows).toHaveLength(3001);
    expect(rows.at(-1)).toEqual({ rowNumber: 3002, raw: { numero: '999999999', nom: 'Chirurgien-dentiste é€' } });
  });

  it.each([
    ['Windows-1252', cp1252('Chirurgien-dentiste ', E_ACUTE, EURO)],
    ['UTF-8', Buffer.from('Chirurgien-dentiste é€')],
  ])('reads %s whose first accent is cut by the end of the first chunk', async (_, accented) => {
    const chunk = 64 * 1024; // what a file stream reads at once
    const head = 'nom\n';
    const filler = 'x'.repeat(chunk - head.length - 'Chirurgien-dentiste '.length - 2) + '\n'; // the accent's first byte is the chunk's last
    const file = await writeInputFile('cut.csv', Buffer.concat([Buffer.from(head + filler), accented, Buffer.from('\n')]));
    const rows = await read(file);
    expect(rows.at(-1)?.raw.nom).toBe('Chirurgien-dentiste é€');
  });

  it('reads Excel "Texte Unicode" (.txt, UTF-16 LE with BOM, tab separated)', async () => {
    const file = await writeInputFile('a.txt', Buffer.from('\ufeffNuméro PS\tNom\r\n591097126\tHélène\r\n', 'utf16le'));
    expect(await read(file)).toEqual([{ rowNumber: 2, raw: { numero_ps: '591097126', nom: 'Hélène' } }]);
  });

  it('refuses a file that mixes UTF-8 and Windows-1252, rather than typing "Ã©" or "�"', async () => {
    const latin = cp1252('H', E_ACUTE, 'l', [0xe8], 'ne\n');
    const early = await writeInputFile('mixed.csv', Buffer.concat([Buffer.from('nom\nHélène\n'), latin]));
    expect(await failure(early)).toBe(`${early}: line 3 is not UTF-8 like the lines before it (the file mixes encodings): save the file again from Excel as "CSV UTF-8" or "CSV (séparateur: point-virgule)"`);
    const filler = 'x\n'.repeat(50_000); // past the first chunk
    const late = await writeInputFile('mixed.csv', Buffer.concat([Buffer.from(`nom\nHélène\n${filler}`), latin]));
    expect(await failure(late)).toContain(': line 50003 is not UTF-8');
  });
});

describe('CSV separators', () => {
  it('reads , separated files with quoted fields', async () => {
    const file = await writeInputFile('b.csv', 'numero_ps,montant\n591123453,"1234,56"\n');
    expect(await read(file)).toEqual([{ rowNumber: 2, raw: { numero_ps: '591123453', montant: '1234,56' } }]);
  });

  it('reads ; separated files with a comma in a value', async () => {
    const file = await writeInputFile('b.csv', 'numero_ps;montant;nom\n591123453;1234,56;"DUPONT; Jean"\n');
    expect(await read(file)).toEqual([{ rowNumber: 2, raw: { numero_ps: '591123453', montant: '1234,56', nom: 'DUPONT; Jean' } }]);
  });

  it('numbers rows as a spreadsheet does: blank lines and multi-line cells count once each', async () => {
    const file = await writeInputFile('c.csv', '\r\nnom;note\r\n\r\nA;"two\r\nlines"\r\n;\r\nB;x\r\nC\r\n');
    expect(await read(file)).toEqual([
      { rowNumber: 4, raw: { nom: 'A', note: 'two\r\nlines' } },
      { rowNumber: 6, raw: { nom: 'B', note: 'x' } },
      { rowNumber: 7, raw: { nom: 'C', note: '' } },
    ]);
  });
});

describe('column titles', () => {
  it.each([
    ['numero_ps', 'numero_ps'],
    ['  Numéro PS ', 'numero_ps'],
    ['Aide calculée (€)', 'aide_calculee'],
    ['Montant TTC (en €)', 'montant_ttc'],
    ['N° demande', 'numero_demande'],
    ['n°demande', 'numero_demande'],
    ['Nº demande', 'numero_demande'],
    ['No demande', 'numero_demande'],
    ['No. demande', 'numero_demande'],
    ['Demande n°', 'demande_numero'],
    ['Nom', 'nom'],
    ['Date d’effet', 'date_d_effet'],
    ["Date d'effet", 'date_d_effet'],
    ['Début  -  période', 'debut_periode'],
    ['E-mail.', 'e_mail'],
    ['IBAN', 'iban'],
    ['Cœur', 'coeur'],
    ['(vide)', 'vide'],
    ['', ''],
  ])('%j → %j', (header, name) => {
    expect(normalizeHeader(header)).toBe(name);
  });

  it('refuses a column that appears twice, naming it', async () => {
    const file = await writeInputFile('d.csv', 'Numéro PS;nom;numero ps\n591097126;A;591097126\n');
    expect(await failure(file)).toBe('' + file + ': column numero_ps appears twice: "Numéro PS" in column A and "numero ps" in column C; keep one');
  });

  it('refuses a file without a header row', async () => {
    const file = await writeInputFile('e.csv', 'DIPA-2020-000001;591097126;MATHIEU Guillaume\n');
    expect(await failure(file)).toContain('no header row: row 1 holds values ("591097126" in column B)');
  });

  it('refuses an empty file or a header alone: the file has no rows', async () => {
    expect(await failure(await writeInputFile('empty.csv', ''))).toMatch(/empty\.csv: the file has no rows: it is empty$/);
    expect(await failure(await writeInputFile('blank.csv', '\r\n\r\n'))).toContain('the file has no rows: it is empty');
    expect(await failure(await writeInputFile('header.csv', '\ufeffnumero_ps;nom\r\n'))).toContain('the file has no rows: only the header (row 1)');
    expect(await failure(await writeInputFile('header.csv', 'numero_ps;nom'))).toContain('the file has no rows: only the header (row 1)');
    expect(await failure(await writeInputFile('header.csv', 'numero_ps;nom\n;\n\n'))).toContain('the file has no rows: only the header (row 1)');
  });

  it('ignores untitled columns (the trailing ; of some exports)', async () => {
    const file = await writeInputFile('f.csv', 'numero_ps;nom;\n591097126;A;\n');
    expect(await read(file)).toEqual([{ rowNumber: 2, raw: { numero_ps: '591097126', nom: 'A' } }]);
  });
});

describe('file types', () => {
  it('refuses other file types, saying which ones it reads', async () => {
    const file = await writeInputFile('dipa.ods', 'whatever');
    expect(await failure(file)).toBe(`${file}: unsupported file type .ods: use .csv or .xlsx`);
  });

  it('says clearly when the file is missing', async () => {
    expect(await failure('/nonexistent/dipa.xlsx')).toBe('/nonexistent/dipa.xlsx: file not found');
  });

  it('says clearly when an .xlsx file is not a workbook', async () => {
    const file = await writeInputFile('fake.xlsx', 'numero_ps;nom\n591097126;A\n');
    expect(await failure(file)).toContain('not a readable .xlsx workbook');
  });
});

describe('.xlsx workbooks', () => {
  const workbookFile = async (build: (wb: ExcelJS.Workbook) => void) => {
    const wb = new ExcelJS.Workbook();
    build(wb);
    const file = join(await mkdtemp(join(tmpdir(), 'proweb-test-input-')), 'dipa.xlsx');
    await wb.xlsx.writeFile(file);
    return file;
  };

  it('reads the first worksheet as Excel shows it: dates dd/mm/yyyy, decimal comma, texts of rich text, formulas and links', async () => {
    const file = await workbookFile((wb) => {
      const sheet = wb.addWorksheet('Demandes');
      sheet.getRow(2).values = ['Numéro PS', 'Début période', 'Aide calculée (€)', 'Nom', 'Acompte', 'Site', 'Conventionné'];
      const row = sheet.getRow(3);
      row.values = [
        '591097126',
        new Date(Date.UTC(2020, 2, 16)),
        1234.5,
        { richText: [{ text: 'DUPONT ', font: { bold: true } }, { text: 'Hélène' }] },
        { formula: 'C3*0.8', result: 987.6 },
        { text: 'ameli', hyperlink: 'https://www.ameli.fr' },
        true,
      ];
      row.getCell(2).numFmt = 'dd/mm/yyyy';
      sheet.getRow(5).values = [591850276, new Date(Date.UTC(2020, 9, 15, 14, 30)), 0.1 + 0.2];
      sheet.getRow(5).getCell(2).numFmt = 'dd/mm/yyyy hh:mm';
      wb.addWorksheet('Notes').getRow(1).values = ['autre', 'chose'];
    });
    expect(await read(file)).toEqual([
      {
        rowNumber: 3,
        raw: { numero_ps: '591097126', debut_periode: '16/03/2020', aide_calculee: '1234,5', nom: 'DUPONT Hélène', acompte: '987,6', site: 'ameli', conventionne: 'VRAI' },
      },
      { rowNumber: 5, raw: { numero_ps: '591850276', debut_periode: '15/10/2020 14:30', aide_calculee: '0,3', nom: '', acompte: '', site: '', conventionne: '' } },
    ]);
  });

  it('refuses an empty worksheet or a header alone, and a duplicate column', async () => {
    expect(await failure(await workbookFile((wb) => void wb.addWorksheet('Vide')))).toContain('the file has no rows: it is empty');
    expect(await failure(await workbookFile((wb) => {
      wb.addWorksheet('x').getRow(2).values = ['numero_ps', 'nom'];
    }))).toContain('the file has no rows: only the header (row 2)');
    const twice = await workbookFile((wb) => {
      wb.addWorksheet('x').getRow(1).values = ['IBAN', 'Iban '];
    });
    expect(await failure(twice)).toContain('column iban appears twice: "IBAN" in column A and "Iban" in column B');
  });
});
