import { z } from 'zod';

/**
 * What a back-office application can take from the whole robot fleet: the queue
 * holds a dossier back rather than exceed it. Written per application in
 * `proweb.config.json` (`applications.<id>.capacity`).
 */

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const WEEKDAY = 'days are ISO weekday numbers: 1 = Monday … 7 = Sunday';

/** A wall-clock time on 24 hours; `to` may also be `24:00` (open until midnight). */
const clockTime = (which: 'from' | 'to') =>
  z.string().refine((text) => HH_MM.test(text) || (which === 'to' && text === '24:00'), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a time: write HH:MM on 24 hours, e.g. ${which === 'from' ? '"07:00"' : '"19:00"'}${which === 'to' ? ' (or "24:00" for midnight)' : ''}`,
  });

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** When an application takes entries, in its own time zone. */
export const openingHoursSchema = z
  .strictObject({
    /** IANA time zone the hours are read in. @defaultValue 'Europe/Paris' */
    timezone: z
      .string()
      .default('Europe/Paris')
      .refine(isTimeZone, {
        error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone: write e.g. "Europe/Paris", "America/Cayenne" or "Indian/Reunion"`,
      })
      // Canonical spelling, so that messages read "Europe/Paris" whatever the case written.
      .transform((name) => new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone),
    /** ISO weekdays the application is open: 1 = Monday … 7 = Sunday. @defaultValue [1, 2, 3, 4, 5] */
    days: z
      .array(z.number().int({ error: WEEKDAY }).min(1, { error: WEEKDAY }).max(7, { error: WEEKDAY }))
      .min(1, { error: 'give at least one open day, as ISO weekday numbers (1 = Monday … 7 = Sunday), e.g. [1, 2, 3, 4, 5]' })
      .refine((days) => new Set(days).size === days.length, { error: 'each day once: remove the repeated weekday' })
      .default([1, 2, 3, 4, 5]),
    /** Opening time, `HH:MM`, local to `timezone`. */
    from: clockTime('from'),
    /** Closing time, `HH:MM` (or `24:00`), local to `timezone`; must be after `from`. */
    to: clockTime('to'),
    /** Closed on public holidays (jours fériés). @defaultValue true */
    closedOnPublicHolidays: z.boolean().default(true),
    /**
     * Whose public holidays: `france`, or `alsace-moselle` for the caisses of Bas-Rhin,
     * Haut-Rhin and Moselle (Good Friday and 26 December too). @defaultValue 'france'
     */
    holidayCalendar: z.enum(['france', 'alsace-moselle'], { error: 'write "france" or "alsace-moselle"' }).default('france'),
  })
  // HH:MM strings order like the times they write; a malformed one was already reported.
  .refine((h) => !HH_MM.test(h.from) || h.to > h.from, {
    path: ['to'],
    error: (issue) => {
      const h = issue.input as { from: string; to: string };
      return `"to" (${h.to}) must be later than "from" (${h.from}), e.g. "from": "07:00", "to": "19:00" (hours across midnight are not supported)`;
    },
  });

/**
 * Limits of one application across the fleet; each one left out is unlimited.
 */
export const applicationCapacitySchema = z.strictObject({
  /** Dossiers started per minute on this application, fleet-wide (sliding window). */
  ratePerMinute: z.number().int({ error: 'ratePerMinute is a whole number of dossiers per minute' }).positive({ error: 'ratePerMinute must be at least 1 (leave it out for no limit)' }).optional(),
  /** Dossiers in flight at once on this application, fleet-wide: each is a logged-in session. */
  maxSessions: z.number().int({ error: 'maxSessions is a whole number of sessions' }).positive({ error: 'maxSessions must be at least 1 (leave it out for no limit)' }).optional(),
  /** When the application takes entries; outside them dossiers wait. Unset = always open. */
  openingHours: openingHoursSchema.optional(),
});

export type ApplicationCapacity = z.output<typeof applicationCapacitySchema>;
/** A capacity as written, before defaults (what code building one by hand may pass). */
export type ApplicationCapacityInput = z.input<typeof applicationCapacitySchema>;
export type OpeningHours = z.output<typeof openingHoursSchema>;
