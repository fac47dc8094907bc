import { describe, expect, it } from 'vitest';
import { parsePrimeCovidPayMonth } from '../../domain/prime-covid.ts';
import { primeCovid, primeCovidRow } from '../../scenarios/prime-covid.ts';

const raw = (over: Record<string, string | undefined> = {}) => ({
  matricule: '263584',
  nom: 'CLÉMENT Éric',
  type_prime: 'PCV1000',
  montant: '1000,00',
  mois_paiement: '06/2020',
  ...over,
});

const issuesOf = (row: Record<string, string | undefined>) => {
  const parsed = primeCovidRow.safeParse(row);
  expect(parsed.success).toBe(false);
  return parsed.error!.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
};

describe('the Covid bonus scenario', () => {
  it('turns a line of the file into the payroll item to enter', () => {
    const row = primeCovidRow.parse(raw({ type_prime: 'pcv500', montant: '1 250,5', mois_paiement: '7/2020' }));
    expect(row).toEqual({ matricule: '263584', name: 'CLÉMENT Éric', bonusType: 'PCV500', amountCents: 125050, payMonth: '07/2020' });
    expect(primeCovid.businessKey(row)).toBe('263584');
  });

  it('leaves the ceiling and closed months to payroll: above the ceiling and May 2020 pass the file check', () => {
    expect(primeCovidRow.parse(raw({ montant: '1500,00', mois_paiement: '05/2020' }))).toMatchObject({ amountCents: 150000, payMonth: '05/2020' });
  });

  it('names the column of each invalid value', () => {
    expect(issuesOf(raw({ matricule: '26358' }))).toEqual([{ field: 'matricule', message: '"26358" is not a matricule (6 digits)' }]);
    expect(issuesOf(raw({ matricule: '26358A' }))).toEqual([{ field: 'matricule', message: '"26358A" is not a matricule (6 digits)' }]);
    expect(issuesOf(raw({ type_prime: 'PCV2000' }))).toEqual([{ field: 'type_prime', message: '"PCV2000" is not one of PCV1500, PCV1000, PCV500' }]);
    expect(issuesOf(raw({ montant: 'mille' }))).toEqual([{ field: 'montant', message: '"mille" is not a positive amount in euros' }]);
    expect(issuesOf(raw({ montant: '0,00' }))).toEqual([{ field: 'montant', message: '"0,00" is not a positive amount in euros' }]);
    expect(issuesOf(raw({ montant: '-500' }))[0]).toMatchObject({ field: 'montant' });
    expect(issuesOf(raw({ mois_paiement: '13/2020' }))).toEqual([
      { field: 'mois_paiement', message: '"13/2020" is not a pay month of the Covid bonus (mm/yyyy, 05/2020 to 12/2020)' },
    ]);
    expect(issuesOf(raw({ mois_paiement: '04/2020' }))[0]).toMatchObject({ field: 'mois_paiement' });
    expect(issuesOf(raw({ mois_paiement: '06/2021' }))[0]).toMatchObject({ field: 'mois_paiement' });
    expect(issuesOf(raw({ nom: '  ' }))).toEqual([{ field: 'nom', message: 'is empty' }]);
    expect(issuesOf(raw({ matricule: undefined }))).toEqual([{ field: 'matricule', message: 'is missing' }]);
  });

  it('reports every bad column of a row at once', () => {
    expect(issuesOf(raw({ matricule: '1', montant: 'x', mois_paiement: '2020-06' })).map((i) => i.field)).toEqual(['matricule', 'montant', 'mois_paiement']);
  });

  it('reads pay months as typed by hand', () => {
    expect(parsePrimeCovidPayMonth(' 12/2020 ')).toBe('12/2020');
    expect(parsePrimeCovidPayMonth('6/2020')).toBe('06/2020');
    expect(parsePrimeCovidPayMonth('06/20')).toBeUndefined();
    expect(parsePrimeCovidPayMonth('01/06/2020')).toBeUndefined();
  });

  it('states its manual minutes, its key (one bonus per agent) and a guard before its commit', () => {
    expect(primeCovid.manualMinutes).toBeGreaterThan(0);
    expect(primeCovid.key).toEqual(['matricule']);
    const actions = primeCovid.steps.map((s) => s.action);
    expect(actions.indexOf('guard')).toBeGreaterThan(-1);
    expect(actions.indexOf('guard')).toBeLessThan(actions.indexOf('submit'));
  });
});
