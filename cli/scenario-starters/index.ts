/**
 * What `proweb new` writes: a first scenario in today's language (v2: typed screen maps and
 * step builder, no CSS in the scenario), a sample input file and an end-to-end test, for one
 * application of the mock back office. One module an application, so that a change of the
 * language or of a mock is an edit here; `cli/commands/new.ts` only checks names and paths
 * and writes the files.
 */
import type { StarterApplication } from './applications.ts';
import { bdoStarter } from './bdo.ts';
import { grhStarter } from './grh.ts';
import { ijStarter } from './ij.ts';
import { progresStarter } from './progres.ts';
import type { Starter } from './types.ts';

export { isStarterApplication, noStarterReason, STARTER_APPLICATIONS, type StarterApplication } from './applications.ts';
export type { Starter, TemplateNames } from './types.ts';

/** The starters, by application id. */
export const STARTERS: Readonly<Record<StarterApplication, Starter>> = { progres: progresStarter, grh: grhStarter, ij: ijStarter, bdo: bdoStarter };

/** A cell as CSV writes it: quoted when it holds the separator, a quote or a line break. */
const csvCell = (value: string): string => (/[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The sample file's text: a header, then one line per row, `;`-separated as French spreadsheets write it. */
export function sampleCsv(columns: readonly string[], rows: readonly Record<string, string>[]): string {
  return [columns.join(';'), ...rows.map((r) => columns.map((c) => csvCell(r[c] ?? '')).join(';'))].join('\r\n') + '\r\n';
}
