/**
 * Counting what the mock applications really recorded, per business key. Every
 * application state's `entriesByKey()` maps a business key (`591000005|DIPA|P1`,
 * `<nir>|2020-04-06`, …) to the references of every entry made for it; a key with
 * two references is something entered twice, which the back office accepts by
 * default, so a test that means "each entry once" must check it here.
 */

/** A business key entered more than once, with every reference made for it in entry order. */
export interface Duplicate {
  key: string;
  references: string[];
}

/** The keys with more than one entry; `[]` when every key was entered once. */
export function duplicatesIn(entries: ReadonlyMap<string, readonly string[]>): Duplicate[] {
  return [...entries].filter(([, references]) => references.length > 1).map(([key, references]) => ({ key, references: [...references] }));
}

/** Every entry of every key (two entries for one key count two). */
export function entryCount(entries: ReadonlyMap<string, readonly string[]>): number {
  let count = 0;
  for (const references of entries.values()) count += references.length;
  return count;
}
