import { describe, expect, it } from 'vitest';
import { COVID_MOTIFS, PRN_NATURES } from '../../domain/prn.ts';
import { MOTIFS_COVID, NATURES } from '../../fixtures/ij/rules.ts';
import { prnEntry, prnRow } from '../../scenarios/prn-entry.ts';

const raw = (over: Record<string, string | undefined> = {}) => ({
  nir: '2 84 02 59 429 965 79',
  nom: 'DUHAMEL Hélène',
  siret_employeur: '54461396100090',
  date_debut: '18/11/2020',
  date_fin: '17/12/2020',
  nature: 'COVID',
  motif_covid: 'GARDE_ENFANT',
  salaire_1: '4 090,35',
  salaire_2: '3 892,42',
  salaire_3: '3938,21',
  subrogation: 'N',
  ...over,
});

const issuesOf = (row: Record<string, string | undefined>) => {
  const parsed = prnRow.safeParse(row);
  expect(parsed.success).toBe(false);
  return parsed.error!.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
};

describe('the PRN entry scenario', () => {
  it('turns a line of the salary statement file into the leave to enter', () => {
    const row = prnRow.parse(raw());
    expect(row).toEqual({
      nir: '284025942996579',
      name: 'DUHAMEL Hélène',
      siret: '54461396100090',
      start: '2020-11-18',
      end: '2020-12-17',
      nature: 'COVID',
      covidMotif: 'GARDE_ENFANT',
      salariesCents: [409035, 389242, 393821],
      subrogation: false,
    });
    expect(prnEntry.businessKey(row)).toBe('284025942996579|2020-11-18');
    // Named for a person (an outcome left to check), the NIR is masked.
    expect(prnEntry.describeKey(row)).toBe('nir 2 84 ** ** *** *** 79, start 2020-11-18');
    // Parsed rows travel in job payloads.
    expect(JSON.parse(JSON.stringify(row))).toEqual(row);
  });

  it('reads a leave hors COVID without a motif, subrogation O as true, a one-day leave, and codes as typed by hand', () => {
    const row = prnRow.parse(raw({ nature: 'hors covid', motif_covid: '', subrogation: 'o', date_fin: '18/11/2020', siret_employeur: '544 613 961 00090' }));
    expect(row).toMatchObject({ nature: 'HORS_COVID', subrogation: true, start: '2020-11-18', end: '2020-11-18', siret: '54461396100090' });
    expect(row).not.toHaveProperty('covidMotif');
    expect(prnRow.parse(raw({ motif_covid: ' cas_contact ', nir: '284025942996579' }))).toMatchObject({ covidMotif: 'CAS_CONTACT', nir: '284025942996579' });
    expect(prnRow.parse(raw({ nature: 'HORS_COVID', motif_covid: undefined }))).not.toHaveProperty('covidMotif');
  });

  it('checks the NIR key (Corsica counted as 19/18) without printing the NIR', () => {
    expect(prnRow.parse(raw({ nir: '1 85 05 2A 350 123 55' })).nir).toBe('185052A35012355');
    expect(issuesOf(raw({ nir: '2 84 02 59 429 965 80' }))).toEqual([{ field: 'nir', message: 'has a wrong key: the last 2 digits do not match the first 13' }]);
    expect(issuesOf(raw({ nir: '28402594299657' }))).toEqual([{ field: 'nir', message: 'is not a NIR (13 characters and a 2-digit key, spaces allowed)' }]);
    expect(issuesOf(raw({ nir: '384025942996579' }))[0]).toMatchObject({ field: 'nir' });
    for (const issue of issuesOf(raw({ nir: '284025942996580' }))) expect(issue.message).not.toContain('2840259');
  });

  it('checks the employer SIRET: 14 digits and a Luhn key', () => {
    expect(issuesOf(raw({ siret_employeur: '54461396100091' }))).toEqual([{ field: 'siret_employeur', message: '"54461396100091" has a wrong SIRET key (Luhn)' }]);
    expect(issuesOf(raw({ siret_employeur: '5446139610009' }))).toEqual([{ field: 'siret_employeur', message: '"5446139610009" is not a SIRET (14 digits)' }]);
    expect(issuesOf(raw({ siret_employeur: '5446139610009A' }))[0]).toMatchObject({ field: 'siret_employeur' });
  });

  it('wants real dates dd/mm/yyyy and an end on or after the start', () => {
    expect(issuesOf(raw({ date_debut: '2020-11-18' }))).toEqual([{ field: 'date_debut', message: '"2020-11-18" is not a date dd/mm/yyyy' }]);
    expect(issuesOf(raw({ date_fin: '31/11/2020' }))).toEqual([{ field: 'date_fin', message: '"31/11/2020" is not a date dd/mm/yyyy' }]);
    expect(issuesOf(raw({ date_fin: '15/11/2020' }))).toEqual([{ field: 'date_fin', message: 'is before date_debut: the leave must end on or after its first day' }]);
  });

  it('reads salaries as positive amounts in cents', () => {
    expect(prnRow.parse(raw({ salaire_1: '2150', salaire_2: '2150.5', salaire_3: '2 150,05' })).salariesCents).toEqual([215000, 215050, 215005]);
    expect(issuesOf(raw({ salaire_2: 'deux mille' }))).toEqual([{ field: 'salaire_2', message: '"deux mille" is not a positive amount in euros' }]);
    expect(issuesOf(raw({ salaire_3: '0' }))).toEqual([{ field: 'salaire_3', message: '"0" is not a positive amount in euros' }]);
    expect(issuesOf(raw({ salaire_1: '' }))).toEqual([{ field: 'salaire_1', message: 'is empty' }]);
  });

  it('knows the natures and motifs, and wants a motif for a COVID leave only', () => {
    expect(issuesOf(raw({ nature: 'MALADIE' }))).toEqual([{ field: 'nature', message: '"MALADIE" is not one of COVID, HORS_COVID' }]);
    expect(issuesOf(raw({ motif_covid: 'QUARANTAINE' }))).toEqual([
      { field: 'motif_covid', message: '"QUARANTAINE" is not one of GARDE_ENFANT, PERSONNE_VULNERABLE, CAS_CONTACT, PERSONNE_MALADE' },
    ]);
    expect(issuesOf(raw({ motif_covid: '' }))).toEqual([
      { field: 'motif_covid', message: 'is required for a COVID leave (one of GARDE_ENFANT, PERSONNE_VULNERABLE, CAS_CONTACT, PERSONNE_MALADE)' },
    ]);
    expect(issuesOf(raw({ nature: 'HORS_COVID' }))).toEqual([{ field: 'motif_covid', message: 'must be empty for a leave hors COVID (or the nature should be COVID)' }]);
  });

  it('reads subrogation as O or N', () => {
    expect(issuesOf(raw({ subrogation: 'oui' }))).toEqual([{ field: 'subrogation', message: '"OUI" is not O or N' }]);
    expect(issuesOf(raw({ subrogation: undefined }))).toEqual([{ field: 'subrogation', message: 'is missing' }]);
  });

  it('reports every bad column of a row at once', () => {
    expect(issuesOf(raw({ nir: '1', siret_employeur: 'x', salaire_1: 'x', nature: 'x' })).map((i) => i.field)).toEqual(['nir', 'siret_employeur', 'nature', 'salaire_1']);
  });

  it('uses the codes and labels of the IJ screen', () => {
    expect(PRN_NATURES).toEqual(NATURES);
    expect(COVID_MOTIFS).toEqual(MOTIFS_COVID);
  });

  it('states its manual minutes, its key (the application’s duplicate rule) and a guard before its commit', () => {
    expect(prnEntry.manualMinutes).toBeGreaterThan(0);
    expect(prnEntry.key).toEqual(['nir', 'start']);
    const actions = prnEntry.steps.map((s) => s.action);
    expect(actions.indexOf('guard')).toBeGreaterThan(-1);
    expect(actions.indexOf('guard')).toBeLessThan(actions.indexOf('submit'));
    expect(actions).toEqual(expect.arrayContaining(['date', 'check', 'when']));
  });
});
