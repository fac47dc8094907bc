import { describe, expect, it } from 'vitest';
import { ibanFromBban, luhnKey } from '../../domain/identifiers.ts';
import { dipaPayment, dipaRow } from '../../scenarios/dipa-payment.ts';

const ps = (body: string) => body + luhnKey(body);
const iban = ibanFromBban('FR', '30006000011234567890189');
const raw = (over: Record<string, string> = {}) => ({
  numero_demande: 'DIPA-2020-000042',
  numero_ps: ps('59112345'),
  nom: 'MARTIN Claire',
  categorie: 'IDE',
  debut_periode: '16/03/2020',
  fin_periode: '30/06/2020',
  aide_calculee: '1 234,56',
  iban,
  ...over,
});

const issuesOf = (row: Record<string, string>) => {
  const parsed = dipaRow.safeParse(row);
  expect(parsed.success).toBe(false);
  return parsed.error!.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
};

describe('the DIPA payment scenario', () => {
  it('turns a request into a payment of 80 % of the computed aid for its period', () => {
    const row = dipaRow.parse(raw());
    expect(row).toMatchObject({ ps: ps('59112345'), period: 'P1', computedAidCents: 123456, advanceCents: 98764, start: '2020-03-16', end: '2020-06-30', iban });
    expect(dipaPayment.businessKey(row)).toBe(`${ps('59112345')}|P1`);
  });

  it('accepts the second period for doctors', () => {
    expect(dipaRow.parse(raw({ categorie: 'mg', debut_periode: '15/10/2020', fin_periode: '31/12/2020' })).period).toBe('P2');
  });

  it('names the column of each invalid value', () => {
    expect(issuesOf(raw({ numero_ps: `59112345${(Number(luhnKey('59112345')) + 1) % 10}` }))).toContainEqual({ field: 'numero_ps', message: 'is not a PS number (9 digits with a valid key)' });
    expect(issuesOf(raw({ categorie: 'XYZ' }))[0]).toMatchObject({ field: 'categorie', message: expect.stringContaining('"XYZ" is not one of') });
    expect(issuesOf(raw({ aide_calculee: 'douze' }))[0]).toMatchObject({ field: 'aide_calculee', message: '"douze" is not a positive amount in euros' });
    expect(issuesOf(raw({ iban: 'FR7630006000011234567890180' }))[0]).toMatchObject({ field: 'iban' });
    expect(issuesOf(raw({ fin_periode: '31/02/2020' }))[0]).toMatchObject({ field: 'fin_periode', message: '"31/02/2020" is not a date dd/mm/yyyy' });
    expect(issuesOf({ ...raw(), numero_ps: undefined } as unknown as Record<string, string>)[0]).toMatchObject({ field: 'numero_ps', message: 'is missing' });
  });

  it('refuses a period outside both 2020 periods', () => {
    expect(issuesOf(raw({ debut_periode: '01/01/2020', fin_periode: '31/01/2020' }))).toEqual([
      { field: 'debut_periode', message: expect.stringContaining('not within 16/03/2020–30/06/2020 nor 15/10/2020–31/12/2020') },
    ]);
  });

  it('refuses the second period for a professional who is not a doctor', () => {
    expect(issuesOf(raw({ categorie: 'MK', debut_periode: '15/10/2020', fin_periode: '31/12/2020' }))).toEqual([
      { field: 'categorie', message: expect.stringContaining('doctors only') },
    ]);
  });

  it('states its manual minutes, its key and a guard before its commit', () => {
    expect(dipaPayment.manualMinutes).toBeGreaterThan(0);
    expect(dipaPayment.key).toEqual(['ps', 'period']);
    const actions = dipaPayment.steps.map((s) => s.action);
    expect(actions.indexOf('guard')).toBeLessThan(actions.indexOf('submit'));
  });
});
