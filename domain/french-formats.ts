/**
 * French conventions found in files made by hand and on legacy screens:
 * decimal comma, spaces (plain or non-breaking) between thousands, dd/mm/yyyy dates.
 * Amounts are handled in integer cents so that no float rounding reaches a payment.
 */

const AMOUNT = /^-?\d+(?:[.,]\d{1,2})?$/;

/**
 * Parses "1 234,56", "1234.5" or "12" into cents; `undefined` when it is not an amount.
 * A dot is only accepted as the decimal separator, never as a thousands separator.
 */
export function parseAmountToCents(text: string): number | undefined {
  const compact = text.trim().replace(/[\s\u00a0\u202f]/g, '').replace(/€$/, '');
  if (!AMOUNT.test(compact)) return undefined;
  const [units = '0', decimals = ''] = compact.replace(',', '.').split('.');
  const negative = units.startsWith('-');
  const cents = Math.abs(Number(units)) * 100 + Number(decimals.padEnd(2, '0'));
  return negative ? -cents : cents;
}

/** Formats cents as the screens expect them typed: "1234,56" (no thousands separator). */
export function formatCentsForEntry(cents: number): string {
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/** Formats cents for reading: "1 234,56 €" with a narrow no-break space between thousands. */
export function formatCentsForDisplay(cents: number): string {
  const abs = Math.abs(cents);
  const units = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return `${cents < 0 ? '-' : ''}${units},${String(abs % 100).padStart(2, '0')} €`;
}

/** Parses "dd/mm/yyyy" into an ISO date "yyyy-mm-dd"; `undefined` when not a real calendar date. */
export function parseFrenchDate(text: string): string | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!m) return undefined;
  const [, d, mo, y] = m as unknown as [string, string, string, string];
  const iso = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : undefined;
}

/** Formats an ISO date "yyyy-mm-dd" as "dd/mm/yyyy". */
export function formatFrenchDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}
