import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { writeInputFile } from './files.ts';

/** fixtures/data/dipa-50.csv: 50 valid DIPA requests as ameli pro exports them. */
export const DIPA_50 = fileURLToPath(new URL('../../fixtures/data/dipa-50.csv', import.meta.url));

/**
 * The header and the first `count` requests of dipa-50.csv (rows 2 to count + 1),
 * with `extra` lines appended as they are, in a fresh file.
 */
export async function dipaSample(name: string, count: number, extra: string[] = []): Promise<string> {
  const [header, ...rows] = (await readFile(DIPA_50, 'utf8')).split(/\r?\n/).filter((l) => l.length > 0);
  return writeInputFile(name, [header, ...rows.slice(0, count), ...extra].join('\r\n') + '\r\n');
}

/** The data lines of dipa-50.csv (row n of the file is element n - 2). */
export async function dipaLines(): Promise<string[]> {
  return (await readFile(DIPA_50, 'utf8')).split(/\r?\n/).filter((l) => l.length > 0).slice(1);
}
