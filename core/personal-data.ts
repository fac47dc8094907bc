/**
 * Personal data (RGPD) never leaves a robot in clear: every text a robot writes out
 * (log line, error kept by the queue, ledger reason, work list, standard output,
 * dashboard answer, kept HTML) goes through a {@link Scrubber} first.
 *
 * What is personal is declared once: patterns that are personal wherever they show
 * (NIR, IBAN, e-mail address, telephone number, a date of birth) and, per dossier, the values of the
 * scenario's input fields declared personal (names, addresses), which no pattern can
 * recognise. Masking errs on the side of hiding: a 13-digit reference that looks like
 * a NIR is masked too.
 */

/**
 * A NIR, 13 characters and an optional key, with or without spaces or dots between its
 * groups, the département possibly 2A/2B. Not preceded by `"time":`: pino's timestamps
 * are 13 digits too. Months 00 and 13-19 never occur, which spares most other numbers.
 */
const NIR = /(?<!"time":)(?<![\dA-Za-z])([12])[ .]?(\d{2})[ .]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}(?:[ .]?(\d{2}))?(?![\dA-Za-z])/gi;

/** An IBAN, in one block or in groups of four, upper case (lower-case hex ids are not IBANs). */
const IBAN = /(?<![A-Za-z0-9])([A-Z]{2}\d{2})(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?([A-Z0-9]{1,4}))?(?![A-Za-z0-9])/g;

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/** A French telephone number, national or international form. */
const PHONE = /(?<![\d+])(?:\+33[ .]?|0)[1-9](?:[ .-]?\d{2}){4}(?!\d)/g;

/** A date of birth, as back offices quote it in their refusals ("né(e) le 03/04/2003", "date de naissance : …"). */
const BIRTH_DATE = /(?<![A-Za-zÀ-ÿ])(n[ée]e?(?:\(e\))?|naissance)(\s*(?:le|:)?\s*)\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}/gi;

/** Declared values shorter than this are not masked on their own: "Li" would hide half of every text. */
const MIN_KNOWN_LENGTH = 3;

const MASK = '***';

/** Whether a pattern alone recognises the whole value. */
function wholly(value: string): boolean {
  return [NIR, IBAN, EMAIL, PHONE].some((pattern) => new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace('g', '')).test(value));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Masks personal data in texts and values. Immutable: {@link Scrubber.with} gives a
 * scrubber that also knows a dossier's declared values.
 */
export class Scrubber {
  private readonly knownValues: readonly string[];
  private readonly known: RegExp | undefined;

  constructor(knownValues: Iterable<string> = []) {
    // A declared NIR or IBAN is left to its pattern, whose mask a person can still read
    // (`2 85 ** ** *** *** 47`), whatever spacing a screen gives it.
    const values = [...new Set([...knownValues].map((v) => v.trim()).filter((v) => v.length >= MIN_KNOWN_LENGTH && !wholly(v)))];
    // Longest first, so that "Marie-Claire" is masked whole before "Marie".
    values.sort((a, b) => b.length - a.length);
    this.knownValues = values;
    this.known = values.length > 0 ? new RegExp(values.map(escapeRegExp).join('|'), 'gi') : undefined;
  }

  /** A scrubber that also masks these values (a dossier's names, addresses). */
  with(values: Iterable<string | undefined | null>): Scrubber {
    const more = [...values].filter((v): v is string => typeof v === 'string');
    return more.length === 0 ? this : new Scrubber([...this.knownValues, ...more]);
  }

  /** The text with every personal value masked: `2 85 ** ** *** *** 47`, `FR76 **** 89`, `***`. */
  text(text: string): string {
    let out = this.known ? text.replace(this.known, MASK) : text;
    out = out.replace(IBAN, (_m, head: string, tail: string | undefined) => `${head.toUpperCase()} ****${tail ? ` **${tail.slice(-2)}` : ''}`);
    out = out.replace(NIR, (_m, sex: string, year: string, key: string | undefined) => `${sex} ${year} ** ** *** ***${key ? ` ${key}` : ''}`);
    out = out.replace(EMAIL, '***@***');
    out = out.replace(PHONE, (m) => `** ** ** ** ${m.slice(-2)}`);
    out = out.replace(BIRTH_DATE, (_m, word: string, between: string) => `${word}${between}**/**/****`);
    return out;
  }

  /**
   * The same error, its message and stack masked in place (its class kept, so that
   * `instanceof` still tells a refusal from a failure), and its causes too.
   */
  error<E>(error: E): E {
    const seen = new Set<unknown>();
    let current: unknown = error;
    while (current instanceof Error && !seen.has(current)) {
      seen.add(current);
      current.message = this.text(current.message);
      if (current.stack) current.stack = this.text(current.stack);
      current = current.cause;
    }
    return error;
  }

  /** A copy of a JSON-like value with every string masked (keys kept). */
  deep<T>(value: T): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.deep(v)) as T;
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v)])) as T;
    }
    return value;
  }
}

/** The patterns alone: what every output applies, whatever dossier it comes from. */
export const scrubber = new Scrubber();

/** {@link Scrubber.text} with the patterns alone. */
export function scrubText(text: string): string {
  return scrubber.text(text);
}
