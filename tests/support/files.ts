import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Writes a CSV input file in a fresh temporary folder and returns its path. */
export async function writeInputFile(name: string, content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'proweb-test-input-'));
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

/** The path of a sample input file of `fixtures/data` (to read; a campaign takes a {@link copySample}). */
export const samplePath = (name: string): string => fileURLToPath(new URL(`../../fixtures/data/${name}`, import.meta.url));

/**
 * A copy of `source` (a file name in `fixtures/data`, or an absolute path) in a fresh temporary folder: a campaign
 * writes its rejection file next to its input, and leaves the sample as it is.
 */
export async function copySample(source: string): Promise<string> {
  const from = isAbsolute(source) ? source : samplePath(source);
  const file = join(await mkdtemp(join(tmpdir(), 'proweb-test-input-')), basename(from));
  await copyFile(from, file);
  return file;
}

export const DIPA_HEADER = 'numero_demande;numero_ps;nom;categorie;debut_periode;fin_periode;aide_calculee;iban';
