import { DEFAULT_HOURS_PER_ETP, etpFromHours } from './etp.ts';
import type { LedgerEntry } from './ledger-entry.ts';

export type GainGrouping = 'scenario' | 'caisse' | 'machine' | 'month' | 'year';

/** Gains of one group (a scenario, a caisse, a month...). */
export interface GainRow {
  group: string;
  done: number;
  rejected: number;
  failed: number;
  hoursSaved: number;
  etp: number;
  robotHours: number;
}

export interface GainReport {
  by: GainGrouping;
  hoursPerEtp: number;
  rows: GainRow[];
  total: GainRow;
}

const groupOf: Record<GainGrouping, (e: LedgerEntry) => string> = {
  scenario: (e) => e.scenarioId,
  caisse: (e) => e.caisse,
  machine: (e) => e.machine,
  month: (e) => e.finishedAt.slice(0, 7),
  year: (e) => e.finishedAt.slice(0, 4),
};

const emptyRow = (group: string): GainRow => ({ group, done: 0, rejected: 0, failed: 0, hoursSaved: 0, etp: 0, robotHours: 0 });

/** Adds up the ledger: only dossiers done save time; rejected and failed ones count apart. */
export async function summarizeGains(
  entries: Iterable<LedgerEntry> | AsyncIterable<LedgerEntry>,
  options: { by?: GainGrouping; hoursPerEtp?: number } = {},
): Promise<GainReport> {
  const by = options.by ?? 'scenario';
  const hoursPerEtp = options.hoursPerEtp ?? DEFAULT_HOURS_PER_ETP;
  const groups = new Map<string, GainRow>();
  const total = emptyRow('Total');
  for await (const entry of entries) {
    const key = groupOf[by](entry);
    const row = groups.get(key) ?? emptyRow(key);
    groups.set(key, row);
    for (const r of [row, total]) {
      r[entry.status]++;
      r.hoursSaved += entry.manualMinutesSaved / 60;
      r.robotHours += entry.robotMs / 3_600_000;
    }
  }
  const rows = [...groups.values()].sort((a, b) => a.group.localeCompare(b.group));
  for (const r of [...rows, total]) r.etp = etpFromHours(r.hoursSaved, hoursPerEtp);
  return { by, hoursPerEtp, rows, total };
}
