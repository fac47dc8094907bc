/**
 * How fast input files are read and how much memory that takes, on 100 000 DIPA rows:
 * `node --import tsx bench/input-large.ts [rows] [--heap-mb N]`. Writes a `;` CSV (UTF-8 with BOM)
 * and an .xlsx workbook (shared strings, a date column, as Excel saves them) in a
 * temporary folder, then reads each with `readInputRows` in a fresh process and
 * prints rows/s and peak RSS. Reading streams: peak RSS must stay far below what
 * holding the rows would take. `--heap-mb 64` caps the readers' heap, which shows the
 * live set once V8 is not left to grow its heap lazily.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { luhnKey } from '../domain/identifiers.ts';
import { readInputRows } from '../input/read-input.ts';

const HEADER = ['Numéro demande', 'Numéro PS', 'Nom', 'Catégorie', 'Début période', 'Fin période', 'Aide calculée (€)', 'IBAN'];

function row(i: number): [string, string, string, string, Date, Date, number, string] {
  const body = String(59_000_000 + i).slice(0, 8);
  return [
    `DIPA-2020-${String(i).padStart(6, '0')}`, body + luhnKey(body), `NOM${i} Prénom${i % 97}`, i % 3 ? 'SPE' : 'MG',
    new Date(Date.UTC(2020, 2, 16)), new Date(Date.UTC(2020, 5, 30)), 1000 + (i % 9000) + 0.29, `FR03135072597872176${String(i).padStart(8, '0')}`,
  ];
}

const frenchDate = (d: Date) => d.toISOString().slice(0, 10).split('-').reverse().join('/');

async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(`\ufeff${HEADER.join(';')}\r\n`);
  for (let i = 1; i <= rows; i++) {
    const [a, b, c, d, e, f, g, h] = row(i);
    await write(`${[a, b, c, d, frenchDate(e), frenchDate(f), String(g).replace('.', ','), h].join(';')}\r\n`);
  }
  out.end();
  await once(out, 'close');
}

async function writeXlsx(file: string, rows: number): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: true });
  const sheet = workbook.addWorksheet('Demandes');
  sheet.addRow(HEADER).commit();
  for (let i = 1; i <= rows; i++) {
    const r = sheet.addRow(row(i));
    r.getCell(5).numFmt = 'dd/mm/yyyy';
    r.getCell(6).numFmt = 'dd/mm/yyyy';
    r.commit();
  }
  sheet.commit();
  await workbook.commit();
}

/** In the child: reads the file, samples RSS, prints one JSON line. */
async function measure(file: string): Promise<void> {
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  let peakHeap = 0;
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    peakHeap = Math.max(peakHeap, heapUsed);
  };
  const timer = setInterval(sample, 20);
  const started = performance.now();
  let rows = 0;
  let last = '';
  for await (const r of readInputRows(file)) {
    rows++;
    if (rows % 1000 === 0) sample();
    last = r.raw.debut_periode ?? '';
  }
  const elapsedMs = performance.now() - started;
  clearInterval(timer);
  sample();
  process.stdout.write(`${JSON.stringify({ rows, elapsedMs, startRss, peakRss, peakHeap, last })}\n`);
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') return measure(process.argv[3]!);
  const args = process.argv.slice(2);
  const heapAt = args.indexOf('--heap-mb');
  const heap = heapAt >= 0 ? args.splice(heapAt, 2)[1] : undefined;
  const rows = Number(args[0] ?? 100_000);
  const dir = await mkdtemp(join(tmpdir(), 'proweb-bench-input-'));
  try {
    const files = { csv: join(dir, 'dipa.csv'), xlsx: join(dir, 'dipa.xlsx') };
    await writeCsv(files.csv, rows);
    await writeXlsx(files.xlsx, rows);
    const self = fileURLToPath(import.meta.url);
    process.stdout.write(`input files of ${rows} rows, Node ${process.version}${heap ? `, readers' heap capped at ${heap} MB` : ''}\n`);
    for (const [format, file] of Object.entries(files)) {
      const child = spawnSync(process.execPath, [...process.execArgv, ...(heap ? [`--max-old-space-size=${heap}`] : []), self, '--measure', file], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${format}: ${child.stderr}`);
      const m = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { rows: number; elapsedMs: number; startRss: number; peakRss: number; peakHeap: number; last: string };
      if (m.rows !== rows) throw new Error(`${format}: read ${m.rows} rows, expected ${rows}`);
      process.stdout.write(
        `${format.padEnd(5)} ${mb((await stat(file)).size).padStart(7)} on disk  ${String(Math.round(m.rows / (m.elapsedMs / 1000))).padStart(8)} rows/s  ${(m.elapsedMs / 1000).toFixed(2)} s  peak RSS ${mb(m.peakRss)} (${mb(m.startRss)} before reading), peak heap ${mb(m.peakHeap)}  last date read ${m.last}\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
