import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { readInputRows } from '../../input/read-input.ts';
import { formatInvalidRow, validateRows, type ValidatedRow } from '../../input/row-validation.ts';
import { dipaPayment, type DipaRow } from '../../scenarios/dipa-payment.ts';
import { writeInputFile } from '../support/files.ts';

async function validate(file: string): Promise<ValidatedRow<DipaRow>[]> {
  const all = [];
  for await (const v of validateRows(dipaPayment, basename(file), readInputRows(file))) all.push(v);
  return all;
}

/** Column titles as a technician types them in Excel, not the schema's names. */
const TITLES = ['N° demande', 'Numéro PS', 'Nom', 'Catégorie', 'Début période', 'Fin période', 'Aide calculée (€)', 'IBAN'];
const IBAN = 'FR0313507259787217660149276';

/** The two requests every format below holds, as the scenario must read them. */
const EXPECTED: Partial<DipaRow>[] = [
  { requestId: 'DIPA-2020-000001', ps: '591097126', name: 'MATHIEU Hélène', category: 'SPE', start: '2020-03-16', end: '2020-06-30', period: 'P1', computedAidCents: 1_528_029, advanceCents: 1_222_423, iban: IBAN },
  { requestId: 'DIPA-2020-000002', ps: '592609259', name: 'VANDENBERGHE Zoé', category: 'MG', start: '2020-10-15', end: '2020-12-31', period: 'P2', computedAidCents: 330_385, advanceCents: 264_308, iban: IBAN },
];

const rowsOf = (validated: ValidatedRow<DipaRow>[]) => validated.map((v) => (v.ok ? v.row : v.problems.map(formatInvalidRow)));

describe('input rows validated by the scenario’s schema', () => {
  it('matches French column titles to the schema and coerces French numbers and dates, from Windows-1252 with ;', async () => {
    const text = `${TITLES.join(';')}\r\n`
      + `DIPA-2020-000001;591097126;MATHIEU Hélène;spe;16/03/2020;30/06/2020;15 280,29;${IBAN}\r\n`
      + `DIPA-2020-000002;592609259;VANDENBERGHE Zoé;MG;15/10/2020;31/12/2020;3 303,85 €;FR03 1350 7259 7872 1766 0149 276\r\n`;
    const file = await writeInputFile('dipa.csv', iconv.encode(text, 'win1252'));
    expect(rowsOf(await validate(file))).toEqual(EXPECTED.map((r) => expect.objectContaining(r)));
  });

  it('reads the same from UTF-8 with , separators, amounts quoted with a decimal comma or written with a point', async () => {
    const text = `${TITLES.join(',')}\n`
      + `DIPA-2020-000001,591097126,MATHIEU Hélène,SPE,16/03/2020,30/06/2020,"15 280,29",${IBAN}\n`
      + `DIPA-2020-000002,592609259,VANDENBERGHE Zoé,MG,15/10/2020,31/12/2020,3303.85,${IBAN}\n`;
    const file = await writeInputFile('dipa.csv', text);
    expect(rowsOf(await validate(file))).toEqual(EXPECTED.map((r) => expect.objectContaining(r)));
  });

  it('reads the same from an .xlsx workbook whose dates are date cells and amounts numbers', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Demandes');
    sheet.addRow(TITLES);
    sheet.addRow(['DIPA-2020-000001', 591097126, 'MATHIEU Hélène', 'SPE', new Date(Date.UTC(2020, 2, 16)), new Date(Date.UTC(2020, 5, 30)), 15280.29, IBAN]);
    sheet.addRow(['DIPA-2020-000002', '592609259', 'VANDENBERGHE Zoé', 'MG', new Date(Date.UTC(2020, 9, 15)), new Date(Date.UTC(2020, 11, 31)), 3303.85, IBAN]);
    for (const r of [2, 3]) for (const c of [5, 6]) sheet.getRow(r).getCell(c).numFmt = 'dd/mm/yyyy';
    const file = join(await mkdtemp(join(tmpdir(), 'proweb-test-input-')), 'dipa.xlsx');
    await wb.xlsx.writeFile(file);
    expect(rowsOf(await validate(file))).toEqual(EXPECTED.map((r) => expect.objectContaining(r)));
  });

  it('names the column a title does not match, and refuses a dossier given twice', async () => {
    const misnamed = await writeInputFile('dipa.csv', `N° demande;Numéro du PS;Nom;Catégorie;Début période;Fin période;Aide calculée (€);IBAN\nDIPA-2020-000001;591097126;A;SPE;16/03/2020;30/06/2020;12,00;${IBAN}\n`);
    expect(rowsOf(await validate(misnamed))).toEqual([['dipa.csv row 2, numero_ps: is missing']]);

    const line = (id: string) => `${id};591097126;A;SPE;16/03/2020;30/06/2020;12,00;${IBAN}`;
    const twice = await writeInputFile('dipa.csv', `${TITLES.join(';')}\n${line('DIPA-2020-000001')}\n${line('DIPA-2020-000009')}\n`);
    expect(rowsOf(await validate(twice))).toEqual([expect.objectContaining({ requestId: 'DIPA-2020-000001' }), ['dipa.csv row 3, ps+period: same dossier as row 2']]);
  });
});
