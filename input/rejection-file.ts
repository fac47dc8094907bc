import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { NumberedRow } from './headers.ts';
import type { InvalidRow } from './row-validation.ts';
import { csvLines } from '../core/csv.ts';

/** Columns the rejection file adds after the input's own: the row in the input, and why it was rejected. */
export const REJECTION_COLUMNS = { row: 'ligne', reason: 'motif' } as const;

export interface RejectionFileResult {
  /** Where the rejected rows are; the file exists only when `rows` > 0. */
  path: string;
  rows: number;
}

export interface RejectionFile {
  readonly path: string;
  /** Writes one rejected row with all its problems. Await each call before the next. */
  add(row: NumberedRow, problems: readonly Pick<InvalidRow, 'field' | 'reason'>[]): Promise<void>;
  /** Finishes the file, or removes it (and one left by an earlier run) when no row was rejected. Idempotent. */
  close(): Promise<RejectionFileResult>;
}

/** Suffix of every rejection file: what `proweb purge` looks for. */
export const REJECTION_FILE_SUFFIX = '.rejets.csv';

/**
 * `dossiers/dipa.xlsx` → `dossiers/dipa.rejets.csv`, or `<folder>/dipa.rejets.csv` when the
 * configuration names a rejections folder (`folders.rejections`). Never the input itself:
 * `dipa.rejets.csv` → `dipa.rejets.rejets.csv`.
 */
export function rejectionFilePath(inputFile: string, folder?: string): string {
  return join(folder ?? dirname(inputFile), `${basename(inputFile, extname(inputFile))}${REJECTION_FILE_SUFFIX}`);
}

export interface RejectionFileOptions {
  /**
   * The configuration's rejections folder (`folders.rejections`): the file is written there, under
   * the input's name, whatever folder the input came from. Unset = next to the input file.
   */
  folder?: string | undefined;
}

const line = (values: readonly string[]) => csvLines([values]);

/**
 * The rows a human must correct, next to the input file (or in the rejections folder), as Excel opens it on a
 * French Windows (UTF-8 with BOM, `;`, CRLF): the input's columns with the values as
 * read, then `ligne` (the row in the input) and `motif` (every problem of the row).
 * Corrected and resubmitted, it reads like the input: the scenario's schema ignores
 * the two extra columns. Rows are written as they come, never held in memory; the
 * file is created with the first rejected row.
 */
export function createRejectionFile(inputFile: string, options: RejectionFileOptions = {}): RejectionFile {
  const path = rejectionFilePath(inputFile, options.folder);
  let stream: WriteStream | undefined;
  let failure: Error | undefined;
  let columns: string[] = [];
  let rows = 0;
  let closing: Promise<RejectionFileResult> | undefined;

  const write = async (text: string) => {
    if (failure) throw failure;
    if (!stream) {
      // A configured rejections folder may not exist yet on this machine; a folder next to the input does.
      if (options.folder !== undefined) await mkdir(options.folder, { recursive: true });
      stream = createWriteStream(path);
      stream.on('error', (error) => {
        failure = error;
      });
    }
    if (!stream.write(text)) await once(stream, 'drain');
    if (failure) throw failure;
  };

  return {
    path,
    async add({ rowNumber, raw }, problems) {
      if (closing) throw new Error(`${path}: the rejection file is closed`);
      let text = '';
      if (rows === 0) {
        const own = new Set<string>(Object.values(REJECTION_COLUMNS)); // a resubmitted rejection file has them already
        columns = Object.keys(raw).filter((c) => !own.has(c));
        text += `\ufeff${line([...columns, REJECTION_COLUMNS.row, REJECTION_COLUMNS.reason])}`;
      }
      const reason = problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
      text += line([...columns.map((c) => raw[c] ?? ''), String(rowNumber), reason]);
      rows++;
      await write(text);
    },
    close() {
      closing ??= (async () => {
        if (stream) {
          const finished = stream;
          if (!finished.destroyed) {
            finished.end();
            await once(finished, 'close').catch(() => undefined);
          }
          if (failure) throw failure;
        }
        if (rows === 0) await rm(path, { force: true });
        return { path, rows };
      })();
      return closing;
    },
  };
}
