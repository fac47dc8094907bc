import type { BackOffice } from '../../fixtures/backoffice/index.ts';
import { dipaCsvRow, formatDipaCsv, type DipaCsvRow } from '../../fixtures/data/dipa-csv.ts';
import { writeInputFile } from './files.ts';

/** Input rows for the back office's own DIPA requests, filtered as a test needs. */
export function requestRows(backOffice: BackOffice, keep: (p: { conventioned: boolean }) => boolean, count: number): DipaCsvRow[] {
  const rows: DipaCsvRow[] = [];
  for (const request of backOffice.state.dipaRequests) {
    const professional = backOffice.state.professionals.get(request.ps);
    if (professional && keep(professional)) rows.push(dipaCsvRow(request, professional));
    if (rows.length === count) break;
  }
  return rows;
}

/** A DIPA input file with these rows, as ameli pro exports it. */
export const dipaFile = (name: string, rows: DipaCsvRow[]) => writeInputFile(name, formatDipaCsv(rows));
