import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes a CSV input file in a fresh temporary folder and returns its path. */
export async function writeInputFile(name: string, content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'proweb-test-input-'));
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

export const DIPA_HEADER = 'numero_demande;numero_ps;nom;categorie;debut_periode;fin_periode;aide_calculee;iban';
