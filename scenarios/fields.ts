import { z } from 'zod';
import { isIban, isNir, isPsNumber, isSiret, nirKey, normalizeIban } from '../domain/identifiers.ts';
import { parseAmountToCents, parseFrenchDate } from '../domain/french-formats.ts';

/**
 * Column types for input schemas, with French conventions coerced and errors a
 * MOAD author can act on. Every output is JSON-safe (strings and integers) because
 * parsed rows travel in job payloads.
 */

/** A required cell: trimmed, not empty. */
export const requiredText = () => z.string({ error: 'is missing' }).trim().min(1, { error: 'is empty' });

/** A PS number (9 digits, Luhn key). */
export const psNumber = () => requiredText().refine(isPsNumber, { error: 'is not a PS number (9 digits with a valid key)' });

/** A French date `dd/mm/yyyy`, as ISO `yyyy-mm-dd`. */
export const frenchDate = () =>
  requiredText().transform((text, ctx) => {
    const iso = parseFrenchDate(text);
    if (iso === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a date dd/mm/yyyy` });
      return z.NEVER;
    }
    return iso;
  });

/** A positive amount in euros ("1 234,56", "1234.56"), as integer cents. */
export const amountCents = () =>
  requiredText().transform((text, ctx) => {
    const cents = parseAmountToCents(text);
    if (cents === undefined || cents <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a positive amount in euros` });
      return z.NEVER;
    }
    return cents;
  });

/** An IBAN with a valid key, compacted. */
export const iban = () => requiredText().transform(normalizeIban).refine(isIban, { error: 'is not a valid IBAN (check key)' });

/** One of a fixed set of codes, case-insensitive. */
export const code = <const T extends readonly [string, ...string[]]>(codes: T) =>
  requiredText()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(codes, { error: (issue) => `"${String(issue.input)}" is not one of ${codes.join(', ')}` }));

/**
 * A NIR as people type it ("1 85 05 59 350 123 45", "2a…"), compact and upper-case.
 * The value stays out of the messages: a NIR is personal data.
 */
export const nir = () =>
  requiredText()
    .transform((text) => text.replace(/\s+/g, '').toUpperCase())
    .superRefine((value, ctx) => {
      if (value.length !== 15 || nirKey(value.slice(0, 13)) === undefined || !/^\d{2}$/.test(value.slice(13))) {
        ctx.addIssue({ code: 'custom', message: 'is not a NIR (13 characters and a 2-digit key, spaces allowed)' });
      } else if (!isNir(value)) {
        ctx.addIssue({ code: 'custom', message: 'has a wrong key: the last 2 digits do not match the first 13' });
      }
    });

/** An employer's SIRET (14 digits, spaces allowed), Luhn key checked. */
export const siret = () =>
  requiredText()
    .transform((text) => text.replace(/\s+/g, ''))
    .superRefine((value, ctx) => {
      if (!/^\d{14}$/.test(value)) ctx.addIssue({ code: 'custom', message: `"${value}" is not a SIRET (14 digits)` });
      else if (!isSiret(value)) ctx.addIssue({ code: 'custom', message: `"${value}" has a wrong SIRET key (Luhn)` });
    });
