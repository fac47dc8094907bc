import { ledgerEntrySchema, type LedgerEntry } from './ledger-entry.ts';

/**
 * How the ledger keeps an entry in Redis (its stream and a campaign's work list): a JSON array
 * of the fields in a fixed order, absent fields `null` and trailing ones dropped: about half the
 * bytes of the JSON object, whose keys were most of it. Entries written as objects before stay
 * readable; exports and the archive keep the object (gains/ledger-file.ts).
 */

/** The stored order: entries in Redis are read with it, so a new field goes at the end, never between. */
const FIELDS = [
  'campaignId', 'scenarioId', 'scenarioVersion', 'caisse', 'machine', 'dossierId', 'rowNumber', 'status', 'reference', 'reason',
  'alreadyEntered', 'dossiers', 'manualMinutesSaved', 'reworkMinutes', 'robotMs', 'attempts', 'finishedAt',
] as const satisfies readonly (keyof LedgerEntry)[];

/** The stream field of an entry: `c` compact, `e` the JSON object of ledgers before it. */
export const ENTRY_FIELD = 'c';

/** A checked entry as stored. */
export function encodeEntry(entry: LedgerEntry): string {
  const values: unknown[] = FIELDS.map((f) => entry[f] ?? null);
  while (values.at(-1) === null) values.pop();
  return JSON.stringify(values);
}

/** An entry as stored, either form, checked. */
export function decodeEntry(stored: string): LedgerEntry {
  const value: unknown = JSON.parse(stored);
  if (!Array.isArray(value)) return ledgerEntrySchema.parse(value);
  const entry: Record<string, unknown> = {};
  FIELDS.forEach((f, i) => {
    if (value[i] !== null && value[i] !== undefined) entry[f] = value[i];
  });
  return ledgerEntrySchema.parse(entry);
}

/** The entry of a stream record's fields (`[name, value]`), either form. */
export const entryOfStream = (fields: readonly string[]): LedgerEntry => decodeEntry(fields[1] ?? '{}');
