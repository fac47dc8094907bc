import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { luhnKey } from '../../domain/identifiers.ts';
import { readInputRows } from '../../input/read-input.ts';
import { validateRows } from '../../input/row-validation.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';

const ROWS = 100_000;
const HEADER = 'N° demande;Numéro PS;Nom;Catégorie;Début période;Fin période;Aide calculée (€);IBAN\r\n';

/** Row i of a large DIPA file: distinct PS numbers (valid keys), accented names, French amounts. */
function line(i: number): string {
  const body = String(10_000_000 + i);
  return `DIPA-2020-${String(i).padStart(6, '0')};${body}${luhnKey(body)};LEFÈVRE Hélène ${i};SPE;16/03/2020;30/06/2020;${1000 + (i % 9000)},29;FR0313507259787217660149276\r\n`;
}

/**
 * A file that is never on disk whole: a named pipe fed row by row as the reader asks for more
 * (the pipe holds 64 KiB). Returns the pipe's path and how many rows were written so far.
 */
async function pipeOf(rows: number): Promise<{ path: string; written: () => number; done: Promise<void> }> {
  const path = join(await mkdtemp(join(tmpdir(), 'proweb-test-fifo-')), 'demandes.csv');
  execFileSync('mkfifo', [path]);
  let written = 0;
  const done = (async () => {
    const out = createWriteStream(path);
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    await write(`\ufeff${HEADER}`);
    for (let i = 1; i <= rows; i++) {
      await write(line(i));
      written = i;
    }
    out.end();
    await once(out, 'close');
  })();
  return { path, written: () => written, done };
}

describe('a large input file', () => {
  it(`is read and validated as a stream: ${ROWS.toLocaleString('en')} rows, never more than a few thousand ahead of the reader`, async () => {
    const file = await pipeOf(ROWS);
    let rows = 0;
    let valid = 0;
    let mostAhead = 0;
    let misnumbered = 0;
    for await (const v of validateRows(dipaPayment, 'demandes.csv', readInputRows(file.path))) {
      rows++;
      if (v.ok) valid++;
      if (v.rowNumber !== rows + 1) misnumbered++;
      // Rows the writer got rid of but the reader has not seen: what the reading chain holds.
      mostAhead = Math.max(mostAhead, file.written() - rows);
    }
    await file.done;
    expect(rows).toBe(ROWS);
    expect(valid).toBe(ROWS);
    expect(misnumbered).toBe(0);
    console.info(`streaming: the writer was at most ${mostAhead} rows ahead of the reader`);
    // Holding the file (about 12 MB) would let the writer finish long before the reader: it can never be more
    // than the pipe's and the streams' buffers ahead, a few hundred kilobytes.
    expect(mostAhead).toBeGreaterThan(0);
    expect(mostAhead).toBeLessThan(ROWS / 20);
  });
});
