import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicationCapacitySchema } from '../../core/capacity.ts';
import { loadConfig } from '../../core/config.ts';

const problems = (value: unknown) => {
  const parsed = applicationCapacitySchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the capacity of an application', () => {
  it('is unlimited when nothing is written', () => {
    expect(applicationCapacitySchema.parse({})).toEqual({});
  });

  it('reads opening hours as working days in Paris, closed on public holidays, unless told otherwise', () => {
    expect(applicationCapacitySchema.parse({ ratePerMinute: 60, maxSessions: 4, openingHours: { from: '07:00', to: '19:00' } })).toEqual({
      ratePerMinute: 60,
      maxSessions: 4,
      openingHours: { timezone: 'Europe/Paris', days: [1, 2, 3, 4, 5], from: '07:00', to: '19:00', closedOnPublicHolidays: true, holidayCalendar: 'france' },
    });
    expect(applicationCapacitySchema.parse({ openingHours: { timezone: 'america/cayenne', days: [6], from: '08:00', to: '24:00', closedOnPublicHolidays: false } }).openingHours)
      .toEqual({ timezone: 'America/Cayenne', days: [6], from: '08:00', to: '24:00', closedOnPublicHolidays: false, holidayCalendar: 'france' });
  });

  it('refuses limits that are not whole numbers of at least 1', () => {
    expect(problems({ ratePerMinute: 0 })).toEqual(['ratePerMinute: ratePerMinute must be at least 1 (leave it out for no limit)']);
    expect(problems({ maxSessions: 2.5 })).toEqual(['maxSessions: maxSessions is a whole number of sessions']);
  });

  it('says how to write a time, a time zone and the days', () => {
    expect(problems({ openingHours: { from: '7h', to: '19:00' } })).toEqual(['openingHours.from: "7h" is not a time: write HH:MM on 24 hours, e.g. "07:00"']);
    expect(problems({ openingHours: { from: '07:00', to: '25:00' } })[0]).toMatch(/^openingHours.to: "25:00" is not a time: write HH:MM/);
    expect(problems({ openingHours: { timezone: 'Paris', from: '07:00', to: '19:00' } })).toEqual([
      'openingHours.timezone: "Paris" is not an IANA time zone: write e.g. "Europe/Paris", "America/Cayenne" or "Indian/Reunion"',
    ]);
    expect(problems({ openingHours: { days: [0], from: '07:00', to: '19:00' } })).toEqual(['openingHours.days.0: days are ISO weekday numbers: 1 = Monday … 7 = Sunday']);
    expect(problems({ openingHours: { days: [], from: '07:00', to: '19:00' } })[0]).toMatch(/^openingHours.days: give at least one open day/);
    expect(problems({ openingHours: { days: [1, 1], from: '07:00', to: '19:00' } })).toEqual(['openingHours.days: each day once: remove the repeated weekday']);
  });

  it('refuses a closing time that is not after the opening time', () => {
    expect(problems({ openingHours: { from: '19:00', to: '07:00' } })).toEqual([
      'openingHours.to: "to" (07:00) must be later than "from" (19:00), e.g. "from": "07:00", "to": "19:00" (hours across midnight are not supported)',
    ]);
    expect(problems({ openingHours: { from: '07:00', to: '07:00' } })).toHaveLength(1);
  });

  it('refuses a misspelt setting rather than ignoring it', () => {
    expect(problems({ ratePerMinut: 60 })[0]).toMatch(/ratePerMinut/);
    expect(problems({ openingHours: { from: '07:00', to: '19:00', timeZone: 'Europe/Paris' } })[0]).toMatch(/timeZone/);
  });

  it('is read from proweb.config.json with the application it limits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proweb-capacity-'));
    try {
      const file = join(dir, 'proweb.config.json');
      const progres = { baseUrl: 'https://progres.example.cpam.fr', username: 'robot', passwordEnv: 'P' };
      await writeFile(file, JSON.stringify({ applications: { progres: { ...progres, capacity: { maxSessions: 4, openingHours: { from: '07:00', to: '19:00' } } } } }));
      const config = await loadConfig(file, {});
      expect(config.applications.progres?.capacity?.maxSessions).toBe(4);
      expect(config.applications.progres?.capacity?.openingHours?.timezone).toBe('Europe/Paris');

      await writeFile(file, JSON.stringify({ applications: { progres: { ...progres, capacity: { openingHours: { from: '19:00', to: '07:00' } } } } }));
      await expect(loadConfig(file, {})).rejects.toThrow(/applications.progres.capacity.openingHours.to: "to" \(07:00\) must be later than "from"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
