import { createReadStream } from 'node:fs';
import { access, constants, open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { InputFileError } from '../core/errors.ts';
import type { RawRow } from '../scenarios/dsl/index.ts';

/** One data row of an input file, numbered as a spreadsheet shows it (the header is line 1). */
export interface NumberedRow {
  rowNumber: number;
  raw: RawRow;
}

/** Files made by hand in France use `;`; exports from other tools use `,`. Decided on the header line. */
async function sniffDelimiter(file: string): Promise<';' | ','> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const firstLine = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '';
    const count = (ch: string) => firstLine.split(ch).length - 1;
    return count(',') > count(';') ? ',' : ';';
  } finally {
    await handle.close();
  }
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
 * Streams the rows of a CSV file (UTF-8, with or without BOM, `;` or `,`), so that a
 * large file is never held in memory. A missing or unreadable file is an
 * {@link InputFileError}; a malformed line ends the stream with one too.
 */
export async function* readCsvRows(file: string): AsyncGenerator<NumberedRow> {
  await assertReadable(file);
  const delimiter = await sniffDelimiter(file);
  const parser = createReadStream(file).pipe(
    parse({ bom: true, columns: (header: string[]) => header.map((h) => h.trim()), delimiter, skip_empty_lines: true, relax_column_count: true, info: true }),
  );
  try {
    for await (const record of parser as AsyncIterable<{ record: RawRow; info: { lines: number } }>) {
      yield { rowNumber: record.info.lines, raw: record.record };
    }
  } catch (cause) {
    if (cause instanceof InputFileError) throw cause;
    throw new InputFileError(file, `not a readable CSV file: ${(cause as Error).message}`, { cause });
  }
}
