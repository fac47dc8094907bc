import { describe, expect, it } from 'vitest';
import { luhnKey } from '../../domain/identifiers.ts';
import { forfaitPs, forfaitPsRow } from '../../scenarios/forfait-ps.ts';

const ps = (body: string) => body + luhnKey(body);
const raw = (over: Record<string, string | undefined> = {}) => ({ numero_ps: ps('59112345'), annee: '2020', ...over });

const issuesOf = (row: Record<string, string | undefined>) => {
  const parsed = forfaitPsRow.safeParse(row);
  expect(parsed.success).toBe(false);
  return parsed.error!.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
};

describe('the forfait structure payment scenario', () => {
  it('turns a line of the file into a professional and a year; the amount comes from ameli pro', () => {
    const row = forfaitPsRow.parse(raw({ numero_ps: ` ${ps('59112345')} `, annee: ' 2020 ' }));
    expect(row).toEqual({ ps: ps('59112345'), year: 2020 });
    expect(forfaitPs.businessKey(row)).toBe(`${ps('59112345')}|2020`);
  });

  it('names the column of each invalid value', () => {
    const badKey = `59112345${(Number(luhnKey('59112345')) + 1) % 10}`;
    expect(issuesOf(raw({ numero_ps: badKey }))).toEqual([{ field: 'numero_ps', message: 'is not a PS number (9 digits with a valid key)' }]);
    expect(issuesOf(raw({ numero_ps: '5911234' }))).toEqual([{ field: 'numero_ps', message: 'is not a PS number (9 digits with a valid key)' }]);
    expect(issuesOf(raw({ annee: 'deux mille vingt' }))).toEqual([{ field: 'annee', message: '"deux mille vingt" is not a year (yyyy)' }]);
    expect(issuesOf(raw({ annee: '20' }))).toEqual([{ field: 'annee', message: '"20" is not a year (yyyy)' }]);
    expect(issuesOf(raw({ annee: '2019' }))).toEqual([{ field: 'annee', message: '"2019" is not a year of forfait structure this scenario pays (2020)' }]);
    expect(issuesOf(raw({ annee: '2021' }))[0]).toMatchObject({ field: 'annee' });
    expect(issuesOf(raw({ annee: '  ' }))).toEqual([{ field: 'annee', message: 'is empty' }]);
    expect(issuesOf(raw({ numero_ps: undefined }))).toEqual([{ field: 'numero_ps', message: 'is missing' }]);
  });

  it('reports every bad column of a row at once', () => {
    expect(issuesOf(raw({ numero_ps: '1', annee: '2019' })).map((i) => i.field)).toEqual(['numero_ps', 'annee']);
  });

  it('reads ameli pro before Progrès, guards before its commit, and types the amount it read', () => {
    expect(forfaitPs.manualMinutes).toBeGreaterThan(0);
    expect(forfaitPs.key).toEqual(['ps', 'year']);
    expect(forfaitPs.applications.map((a) => a.id)).toEqual(['ameli-pro', 'progres']);
    const actions = forfaitPs.steps.map((s) => s.action);
    const extract = forfaitPs.steps.findIndex((s) => s.action === 'extract' && s.as === 'montantDu' && s.parse === 'cents');
    expect(extract).toBeGreaterThan(-1);
    expect(extract).toBeLessThan(actions.indexOf('guard'));
    expect(actions.indexOf('guard')).toBeLessThan(actions.indexOf('submit'));

    const amount = forfaitPs.steps.find((s) => s.action === 'fill' && s.target === 'paiement.montant');
    // The amount read in ameli pro is a number of cents for the next steps.
    const ctx = { row: { ps: ps('59112345'), year: 2020 }, vars: { montantDu: 110833 } };
    expect(amount?.action === 'fill' && typeof amount.value === 'function' ? amount.value(ctx.row, ctx) : undefined).toBe('1108,33');
  });
});
