/**
 * The 2020 exceptional COVID-19 bonus (prime exceptionnelle COVID-19) of the
 * caisse's staff, paid through payroll as a variable item (élément variable de
 * paie) on one of three rubriques. One bonus per agent in 2020, whatever its
 * rubrique; its amount may be lowered (part-time work) down from the rubrique's
 * ceiling. Whether an amount exceeds the ceiling, or a pay month is already
 * closed, is payroll's decision: the HR application refuses those entries itself.
 */

/** The bonus rubriques as payroll knows them, with their ceilings in cents. */
export const PRIME_COVID_TYPES = {
  PCV1500: { label: 'Prime exceptionnelle COVID-19 — 1 500 €', ceilingCents: 150_000 },
  PCV1000: { label: 'Prime exceptionnelle COVID-19 — 1 000 €', ceilingCents: 100_000 },
  PCV500: { label: 'Prime exceptionnelle COVID-19 — 500 €', ceilingCents: 50_000 },
} as const;

export type PrimeCovidType = keyof typeof PRIME_COVID_TYPES;

/** The rubrique codes, for an enum of the input column. */
export const PRIME_COVID_TYPE_CODES = Object.keys(PRIME_COVID_TYPES) as [PrimeCovidType, ...PrimeCovidType[]];

/**
 * Pay months in which the bonus can be paid, as payroll writes them (`mm/yyyy`):
 * the bonus was decided in May 2020 and is paid within 2020. Some of them may be
 * closed by the time a file is run; payroll says which.
 */
export const PRIME_COVID_PAY_MONTHS = ['05/2020', '06/2020', '07/2020', '08/2020', '09/2020', '10/2020', '11/2020', '12/2020'] as const;

export type PrimeCovidPayMonth = (typeof PRIME_COVID_PAY_MONTHS)[number];

/**
 * A pay month as typed by hand ("6/2020", "06/2020", " 06/2020 ") in the
 * payroll's `mm/yyyy`, or `undefined` when it is not a bonus pay month.
 */
export function parsePrimeCovidPayMonth(text: string): PrimeCovidPayMonth | undefined {
  const match = /^(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!match) return undefined;
  const month = `${match[1]!.padStart(2, '0')}/${match[2]}`;
  return (PRIME_COVID_PAY_MONTHS as readonly string[]).includes(month) ? (month as PrimeCovidPayMonth) : undefined;
}
