/**
 * Full-time equivalents. The 2018–2020 national figures give 1 ETP ≈ 1 365 hours
 * saved a year (532 242 h / 390 ETP, 425 528 h / 311.7, 358 071 h / 262.3).
 */
export const DEFAULT_HOURS_PER_ETP = 1365;

function checkHoursPerEtp(hoursPerEtp: number): void {
  if (!(hoursPerEtp > 0)) throw new RangeError(`hoursPerEtp must be greater than 0 (got ${hoursPerEtp})`);
}

/**
 * Cumulative "années-ETP" (ETP-years): hours saved ÷ hours per ETP, whatever the period.
 * Only over exactly one year is it an ETP; anywhere else show it under that name, never as "ETP".
 */
export function etpFromHours(hours: number, hoursPerEtp = DEFAULT_HOURS_PER_ETP): number {
  checkHoursPerEtp(hoursPerEtp);
  return hours / hoursPerEtp;
}

/**
 * ETP of a period, a rate: how many people working full time over the period the hours
 * saved stand for, hours ÷ (hours per ETP × the period's length in years). 30 000 h
 * saved in a month (1/12 year) are 264 ETP; 2018–2020's 1 315 841 h over 3 years, 321.3.
 * 0 for a period of no length (an empty ledger) that saved nothing.
 *
 * @throws RangeError for hours saved over no length of time.
 */
export function etpOver(hours: number, years: number, hoursPerEtp = DEFAULT_HOURS_PER_ETP): number {
  checkHoursPerEtp(hoursPerEtp);
  if (years > 0) return hours / (hoursPerEtp * years);
  if (hours === 0) return 0;
  throw new RangeError(`hours saved over a period of no length (${years} years): give the period its bounds`);
}

/** Rounds half away from zero to `decimals` places, as printed reports do. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.sign(value) * Math.round(Math.abs(value) * factor + Number.EPSILON) / factor;
}
