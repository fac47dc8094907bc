import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputRows } from '../../input/read-input.ts';
import { createRejectionFile, rejectionFilePath } from '../../input/rejection-file.ts';
import { validateRows } from '../../input/row-validation.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { DIPA_HEADER, writeInputFile } from '../support/files.ts';

const VALID = 'DIPA-2020-000001;591097126;MATHIEU Guillaume;SPE;16/03/2020;30/06/2020;15280,29;FR0313507259787217660149276';
const BAD_AMOUNT = 'DIPA-2020-000027;591500152;DAVID Jérôme;MG;16/03/2020;30/06/2020;douze euros;FR2030004579707352608755076';

async function reject(file: string, folder: string) {
  const rejections = createRejectionFile(file, { folder });
  for await (const v of validateRows(dipaPayment, basename(file), readInputRows(file))) if (!v.ok) await rejections.add(v, v.problems);
  return rejections.close();
}

describe('rejection file in the configured rejections folder (folders.rejections)', () => {
  it('is named after the input but written in the folder, never next to the input', () => {
    expect(rejectionFilePath('/partage/depots/dipa.xlsx', '/srv/proweb/rejets')).toBe('/srv/proweb/rejets/dipa.rejets.csv');
    expect(rejectionFilePath('/partage/depots/dipa.rejets.csv', '/srv/proweb/rejets')).toBe('/srv/proweb/rejets/dipa.rejets.rejets.csv');
  });

  it('writes the rejected rows there, creating the folder, and leaves the input\'s folder untouched', async () => {
    const file = await writeInputFile('dipa.csv', `${DIPA_HEADER}\n${VALID}\n${BAD_AMOUNT}\n`);
    const folder = join(await mkdtemp(join(tmpdir(), 'proweb-test-rejets-')), 'pas-encore-cree');
    expect(await reject(file, folder)).toEqual({ path: join(folder, 'dipa.rejets.csv'), rows: 1 });
    expect(await readFile(join(folder, 'dipa.rejets.csv'), 'utf8')).toContain(`${BAD_AMOUNT};3;`);
    expect(existsSync(rejectionFilePath(file))).toBe(false);
  });

  it('removes an earlier run\'s file in the folder when no row is rejected, and creates nothing', async () => {
    const file = await writeInputFile('dipa.csv', `${DIPA_HEADER}\n${VALID}\n`);
    const folder = await mkdtemp(join(tmpdir(), 'proweb-test-rejets-'));
    await writeFile(join(folder, 'dipa.rejets.csv'), 'from an earlier run');
    expect(await reject(file, folder)).toEqual({ path: join(folder, 'dipa.rejets.csv'), rows: 0 });
    expect(existsSync(join(folder, 'dipa.rejets.csv'))).toBe(false);
    expect(existsSync(join(dirname(file), 'dipa.rejets.csv'))).toBe(false);
  });
});
