import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { InputFileError } from '../core/errors.ts';
import { rowsFromRecords, type NumberedRow } from './headers.ts';
import { decodeText } from './text-decoding.ts';

export type { NumberedRow } from './headers.ts';

type Delimiter = ';' | ',' | '\t';

/** Files made by hand in France use `;`, exports from other tools `,`, Excel's "Texte Unicode" tabs. Decided on the header line. */
function sniffDelimiter(firstLine: string): Delimiter {
  const count = (ch: string) => firstLine.split(ch).length - 1;
  const candidates: Delimiter[] = [';', ',', '\t'];
  return candidates.reduce((best, ch) => (count(ch) > count(best) ? ch : best));
}

/** Reads text until the first line is complete; returns it and everything read. */
async function firstLineOf(text: AsyncIterator<string>): Promise<{ firstLine: string; read: string[] }> {
  const read: string[] = [];
  let buffered = '';
  for (let next = await text.next(); !next.done; next = await text.next()) {
    read.push(next.value);
    buffered += next.value;
    const end = buffered.search(/\r?\n/);
    if (end >= 0) return { firstLine: buffered.slice(0, end), read };
  }
  return { firstLine: buffered, read };
}

async function* prepend(read: string[], rest: AsyncGenerator<string>): AsyncGenerator<string> {
  yield* read;
  yield* rest;
}

/** Fails early, before anything is started, when an input file cannot be read. */
export async function assertReadable(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new InputFileError(file, code === 'ENOENT' ? 'file not found' : `cannot read the file (${code})`, { cause });
  }
}

/**
 * Streams the rows of a CSV file, so that a large file is never held in memory:
 * UTF-8 with or without BOM, Windows-1252 or UTF-16 (see {@link decodeText});
 * `;`, `,` or tab separated; column titles normalised (see {@link rowsFromRecords}).
 * Row numbers are the ones a spreadsheet shows, blank lines included. A missing or
 * unreadable file is an {@link InputFileError}; a malformed line ends the stream with one too.
 */
export async function* readCsvRows(file: string): AsyncGenerator<NumberedRow> {
  await assertReadable(file);
  const text = decodeText(file, createReadStream(file));
  let source: Readable | undefined;
  let parser: ReturnType<typeof parse> | undefined;
  try {
    const { firstLine, read } = await firstLineOf(text);
    source = Readable.from(prepend(read, text));
    parser = parse({ delimiter: sniffDelimiter(firstLine), relax_column_count: true, skip_empty_lines: false });
    const csv = parser;
    source.once('error', (error) => csv.destroy(error));
    source.pipe(csv);
    const records = async function* () {
      let rowNumber = 0; // every record, blank lines included, is a spreadsheet row
      for await (const cells of csv as AsyncIterable<string[]>) yield { rowNumber: ++rowNumber, cells };
    };
    yield* rowsFromRecords(file, records());
  } catch (cause) {
    if (cause instanceof InputFileError) throw cause;
    throw new InputFileError(file, `not a readable CSV file: ${(cause as Error).message}`, { cause });
  } finally {
    parser?.destroy();
    source?.destroy();
    await text.return(undefined);
  }
}
