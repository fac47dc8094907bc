/**
 * Full-time equivalents. The 2018–2020 national figures give 1 ETP ≈ 1 365 hours
 * saved a year (532 242 h / 390 ETP, 425 528 h / 311.7, 358 071 h / 262.3).
 */
export const DEFAULT_HOURS_PER_ETP = 1365;

/** ETP equivalent of hours saved. */
export function etpFromHours(hours: number, hoursPerEtp = DEFAULT_HOURS_PER_ETP): number {
  if (!(hoursPerEtp > 0)) throw new RangeError(`hoursPerEtp must be greater than 0 (got ${hoursPerEtp})`);
  return hours / hoursPerEtp;
}

/** Rounds half away from zero to `decimals` places, as printed reports do. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.sign(value) * Math.round(Math.abs(value) * factor + Number.EPSILON) / factor;
}
