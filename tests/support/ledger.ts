import type { Ledger, LedgerEntry } from '../../gains/index.ts';

/** Every entry of the ledger, oldest first. */
export async function entriesOf(ledger: Ledger): Promise<LedgerEntry[]> {
  const list: LedgerEntry[] = [];
  for await (const e of ledger.entries()) list.push(e);
  return list;
}
