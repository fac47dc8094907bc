/**
 * Identifiers printed on French health-insurance screens, with the check keys
 * the back offices verify. Shared by scenarios (to reject bad input before a
 * browser starts) and by the mock back office (to generate valid data).
 */

/** Luhn sum over a string of digits; `true` when the last digit is a valid key. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The Luhn key digit to append to `body` so that the whole is Luhn-valid. */
export function luhnKey(body: string): string {
  for (let k = 0; k <= 9; k++) if (luhnValid(body + k)) return String(k);
  throw new Error(`no Luhn key for ${body}`);
}

/**
 * A PS number (numéro AM / ADELI): 9 digits, the last one a Luhn key over the
 * first eight (2 digits of département, 1 of profession, 5 of order).
 */
export function isPsNumber(value: string): boolean {
  return /^\d{9}$/.test(value) && luhnValid(value);
}

/** SIRET: 14 digits, Luhn-valid. */
export function isSiret(value: string): boolean {
  return /^\d{14}$/.test(value) && luhnValid(value);
}

/** Removes spaces and upper-cases, as a human types an IBAN in groups of four. */
export function normalizeIban(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

function mod97(numeric: string): number {
  let rest = 0;
  for (const ch of numeric) rest = (rest * 10 + (ch.charCodeAt(0) - 48)) % 97;
  return rest;
}

function ibanNumeric(rearranged: string): string {
  return rearranged.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
}

/** ISO 13616 check: country, two key digits, BBAN; French IBANs are 27 characters. */
export function isIban(value: string): boolean {
  const iban = normalizeIban(value);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  if (iban.startsWith('FR') && iban.length !== 27) return false;
  return mod97(ibanNumeric(iban.slice(4) + iban.slice(0, 4))) === 1;
}

/** Builds a valid IBAN from a country code and a BBAN (used to generate test data). */
export function ibanFromBban(country: string, bban: string): string {
  const rest = mod97(ibanNumeric(bban.toUpperCase() + country.toUpperCase() + '00'));
  const key = String(98 - rest).padStart(2, '0');
  return `${country.toUpperCase()}${key}${bban.toUpperCase()}`;
}

/** An IBAN masked for display or logs: country, key and the last four characters. */
export function maskIban(value: string): string {
  const iban = normalizeIban(value);
  return iban.length <= 8 ? '****' : `${iban.slice(0, 4)}${'*'.repeat(iban.length - 8)}${iban.slice(-4)}`;
}

/**
 * NIR key: 97 − (13 digits mod 97), with Corsica's 2A/2B counted as 19/18.
 * Returns `undefined` when the 13 characters are not a NIR body.
 */
export function nirKey(body13: string): string | undefined {
  const b = body13.toUpperCase();
  if (!/^[12]\d{4}(\d{2}|2A|2B)\d{6}$/.test(b)) return undefined;
  const numeric = b.replace('2A', '19').replace('2B', '18');
  return String(97 - Number(BigInt(numeric) % 97n)).padStart(2, '0');
}

/**
 * A NIR masked for messages a person reads: sex, year of birth and key, the rest hidden
 * (`2 85 ** ** *** *** 47`), enough to tell two dossiers apart, not to find the person.
 */
export function maskNir(value: string): string {
  const v = value.replace(/\s+/g, '').toUpperCase();
  return `${v.slice(0, 1)} ${v.slice(1, 3)} ** ** *** ***${v.length === 15 ? ` ${v.slice(13)}` : ''}`;
}

/** A NIR of 15 characters (13 + key), key checked. */
export function isNir(value: string): boolean {
  const v = value.replace(/\s+/g, '').toUpperCase();
  return v.length === 15 && nirKey(v.slice(0, 13)) === v.slice(13);
}
