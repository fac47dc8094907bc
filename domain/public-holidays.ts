/**
 * French public holidays (jours fériés, Code du travail art. L3133-1): the days the
 * back offices of the caisses do not take entries. Three of them move with Easter.
 */

/** One public holiday: its date (`YYYY-MM-DD`) and its French name. */
export interface PublicHoliday {
  date: string;
  name: string;
}

/** Years the Gregorian computus is valid for (the calendar started in October 1582). */
const FIRST_YEAR = 1583;
const LAST_YEAR = 9999;

/**
 * Easter Sunday of a Gregorian year, by the anonymous Gregorian computus
 * (Meeus/Jones/Butcher), as `[month 1-12, day]`.
 */
export function easterSunday(year: number): [month: number, day: number] {
  checkYear(year);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

const byYear = new Map<number, readonly PublicHoliday[]>();

/**
 * The eleven public holidays of metropolitan France in `year`, in calendar order:
 * 1 January, Easter Monday, 1 May, 8 May, Ascension (Easter + 39 days), Whit Monday
 * (Easter + 50), 14 July, 15 August, 1 November, 11 November, 25 December.
 *
 * Alsace-Moselle's two local holidays (Good Friday, 26 December) are in
 * {@link publicHolidays} with the `alsace-moselle` calendar.
 *
 * @throws RangeError when `year` is not a whole number between 1583 and 9999.
 */
export function frenchPublicHolidays(year: number): readonly PublicHoliday[] {
  const known = byYear.get(year);
  if (known) return known;
  const [easterMonth, easterDay] = easterSunday(year);
  const fromEaster = (days: number) => isoDate(new Date(Date.UTC(year, easterMonth - 1, easterDay + days)));
  const fixed = (month: number, day: number) => isoDate(new Date(Date.UTC(year, month - 1, day)));
  const list: PublicHoliday[] = [
    { date: fixed(1, 1), name: 'Jour de l\u2019An' },
    { date: fromEaster(1), name: 'Lundi de Pâques' },
    { date: fixed(5, 1), name: 'Fête du Travail' },
    { date: fixed(5, 8), name: 'Victoire 1945' },
    { date: fromEaster(39), name: 'Ascension' },
    { date: fromEaster(50), name: 'Lundi de Pentecôte' },
    { date: fixed(7, 14), name: 'Fête nationale' },
    { date: fixed(8, 15), name: 'Assomption' },
    { date: fixed(11, 1), name: 'Toussaint' },
    { date: fixed(11, 11), name: 'Armistice 1918' },
    { date: fixed(12, 25), name: 'Noël' },
  ];
  // Ascension can fall on 1 or 8 May: keep calendar order, both names stay listed.
  list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
  const frozen = Object.freeze(list.map((h) => Object.freeze(h)));
  byYear.set(year, frozen);
  return frozen;
}

/**
 * Which public holidays apply: metropolitan France's, or those of Alsace-Moselle (Bas-Rhin,
 * Haut-Rhin, Moselle), where local law adds Good Friday and 26 December (Saint-Étienne).
 */
export type HolidayCalendar = 'france' | 'alsace-moselle';

const alsaceMoselleByYear = new Map<number, readonly PublicHoliday[]>();

/** The public holidays of `year` in a calendar, in calendar order. */
export function publicHolidays(year: number, calendar: HolidayCalendar = 'france'): readonly PublicHoliday[] {
  const national = frenchPublicHolidays(year);
  if (calendar === 'france') return national;
  const known = alsaceMoselleByYear.get(year);
  if (known) return known;
  const [easterMonth, easterDay] = easterSunday(year);
  const local: PublicHoliday[] = [
    { date: isoDate(new Date(Date.UTC(year, easterMonth - 1, easterDay - 2))), name: 'Vendredi saint' },
    { date: isoDate(new Date(Date.UTC(year, 11, 26))), name: 'Saint-Étienne' },
  ];
  const list = Object.freeze([...national, ...local.map((h) => Object.freeze(h))].sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0)));
  alsaceMoselleByYear.set(year, list);
  return list;
}

/**
 * Whether a calendar date (`YYYY-MM-DD`) is a public holiday in a calendar.
 *
 * @throws RangeError when the text is not a real `YYYY-MM-DD` date.
 */
export function isPublicHoliday(date: string, calendar: HolidayCalendar = 'france'): boolean {
  return publicHolidays(yearOf(date), calendar).some((h) => h.date === date);
}

/**
 * Whether a calendar date (`YYYY-MM-DD`) is a French public holiday.
 *
 * @throws RangeError when the text is not a real `YYYY-MM-DD` date.
 */
export function isFrenchPublicHoliday(date: string): boolean {
  return frenchPublicHolidays(yearOf(date)).some((h) => h.date === date);
}

function yearOf(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const year = Number(match?.[1]);
  const asDate = match ? new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!asDate || isoDate(asDate) !== date) {
    throw new RangeError(`"${date}" is not a calendar date: write it as YYYY-MM-DD, e.g. 2025-04-21`);
  }
  return year;
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new RangeError(`year ${year} is outside the Gregorian calendar this computes (a whole number from ${FIRST_YEAR} to ${LAST_YEAR})`);
  }
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
