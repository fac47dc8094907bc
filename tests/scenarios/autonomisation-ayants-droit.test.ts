import { describe, expect, it } from 'vitest';
import { nirKey } from '../../domain/identifiers.ts';
import { autonomisationAyantsDroit, autonomisationRow } from '../../scenarios/autonomisation-ayants-droit.ts';

const nir = (body: string) => body + nirKey(body)!;
const INSURED = nir('1650559350123');
const DEPENDANT = nir('2950159350456');
const CORSICAN = nir('298022A123456');

const raw = (over: Record<string, string | undefined> = {}) => ({
  nir_assure: INSURED,
  nir_ayant_droit: DEPENDANT,
  nom: "D'HONDT",
  prenom: 'Élodie',
  adresse: '12 rue de la Clef',
  code_postal: '59000',
  commune: 'Lille',
  regime: 'TI',
  date_effet: '01/09/2020',
  motif: 'TI',
  ...over,
});

const issuesOf = (row: Record<string, string | undefined>) => {
  const parsed = autonomisationRow.safeParse(row);
  expect(parsed.success).toBe(false);
  return parsed.error!.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
};

describe('the autonomisation scenario', () => {
  it('turns a line of the file into the detachment and the record to enter', () => {
    const row = autonomisationRow.parse(raw({ regime: 'rg', motif: 'maj', date_effet: '1/9/2020' }));
    expect(row).toEqual({
      insuredNir: INSURED, dependantNir: DEPENDANT, lastName: "D'HONDT", firstName: 'Élodie', address: '12 rue de la Clef',
      postcode: '59000', city: 'Lille', regime: 'RG', effectiveDate: '2020-09-01', motif: 'MAJ',
    });
    expect(autonomisationAyantsDroit.businessKey(row)).toBe(DEPENDANT);
  });

  it('reads NIRs typed with spaces, and Corsican ones', () => {
    const spaced = `${DEPENDANT.slice(0, 1)} ${DEPENDANT.slice(1, 3)} ${DEPENDANT.slice(3, 5)} ${DEPENDANT.slice(5, 7)} ${DEPENDANT.slice(7, 10)} ${DEPENDANT.slice(10, 13)} ${DEPENDANT.slice(13)}`;
    expect(autonomisationRow.parse(raw({ nir_ayant_droit: spaced })).dependantNir).toBe(DEPENDANT);
    expect(autonomisationRow.parse(raw({ nir_assure: CORSICAN.toLowerCase() })).insuredNir).toBe(CORSICAN);
  });

  it('names the column of each invalid value', () => {
    const wrongKey = DEPENDANT.slice(0, 13) + String((Number(DEPENDANT.slice(13)) % 97) + 1).padStart(2, '0');
    expect(issuesOf(raw({ nir_ayant_droit: wrongKey }))).toEqual([
      { field: 'nir_ayant_droit', message: 'has a wrong key: the last 2 digits do not match the first 13' },
    ]);
    // The same words as every scenario's NIR column, and the NIR itself kept out of them (personal data).
    expect(issuesOf(raw({ nir_ayant_droit: wrongKey }))[0]!.message).not.toContain(wrongKey.slice(0, 13));
    expect(issuesOf(raw({ nir_assure: '16505593501' }))[0]).toMatchObject({ field: 'nir_assure', message: expect.stringContaining('is not a NIR') });
    expect(issuesOf(raw({ code_postal: '5900' }))).toEqual([{ field: 'code_postal', message: '"5900" is not a postcode (5 digits)' }]);
    expect(issuesOf(raw({ code_postal: '59OOO' }))[0]).toMatchObject({ field: 'code_postal' });
    expect(issuesOf(raw({ regime: 'MSA' }))).toEqual([{ field: 'regime', message: '"MSA" is not one of RG, TI' }]);
    expect(issuesOf(raw({ motif: 'DEC' }))).toEqual([{ field: 'motif', message: '"DEC" is not one of MAJ, TI, DEM' }]);
    expect(issuesOf(raw({ date_effet: '31/09/2020' }))).toEqual([{ field: 'date_effet', message: '"31/09/2020" is not a date dd/mm/yyyy' }]);
    expect(issuesOf(raw({ adresse: '123 boulevard du Maréchal de Lattre de Tassigny' }))).toEqual([
      { field: 'adresse', message: "is longer than the BDO's address line (38 characters)" },
    ]);
    expect(issuesOf(raw({ commune: ' ' }))).toEqual([{ field: 'commune', message: 'is empty' }]);
    expect(issuesOf(raw({ nom: undefined }))).toEqual([{ field: 'nom', message: 'is missing' }]);
  });

  it("refuses a dependant who is the insured's own NIR", () => {
    expect(issuesOf(raw({ nir_ayant_droit: INSURED }))).toEqual([{ field: 'nir_ayant_droit', message: "is the insured's own NIR, not a dependant's" }]);
  });

  it('reports every bad column of a row at once', () => {
    expect(issuesOf(raw({ code_postal: '5900', regime: 'MSA', date_effet: '2020-09-01' })).map((i) => i.field)).toEqual(['code_postal', 'regime', 'date_effet']);
  });

  it('states its manual minutes, its key (one record per dependant) and a guard before its commits', () => {
    expect(autonomisationAyantsDroit.manualMinutes).toBeGreaterThan(0);
    expect(autonomisationAyantsDroit.key).toEqual(['dependantNir']);
    const actions = autonomisationAyantsDroit.steps.map((s) => s.action);
    expect(actions[0]).toBe('flow');
    // The guard comes before both commits: the detachment (inside `when`) and the creation (`submit`).
    expect(actions.indexOf('guard')).toBeGreaterThan(-1);
    expect(actions.indexOf('guard')).toBeLessThan(actions.indexOf('when'));
    expect(actions.indexOf('guard')).toBeLessThan(actions.indexOf('submit'));
  });
});
