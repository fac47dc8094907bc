import { describe, expect, it } from 'vitest';
import { ProwebError } from '../../core/errors.ts';
import { catalogue, findScenario } from '../../scenarios/catalogue.ts';
import { childSteps, isCommit, type AnyScenario, type Step } from '../../scenarios/dsl/index.ts';

const SEEDS = ['dipa-payment', 'forfait-ps', 'prime-covid', 'prn-entry', 'autonomisation-ayants-droit'];

/** Steps in the order they can run, nested ones included. */
const flat = (list: readonly Step<unknown>[]): Step<unknown>[] => list.flatMap((s) => [s, ...childSteps(s).flatMap((c) => flat(c.steps))]);

describe('the scenario catalogue', () => {
  it('lists the five seed scenarios', () => {
    expect([...catalogue.keys()]).toEqual(SEEDS);
  });

  it.each(SEEDS)('%s states its manual minutes, and a rework that costs more than doing the dossier by hand', (id) => {
    const scenario = findScenario(id);
    expect(scenario.manualMinutes).toBeGreaterThan(0);
    // A person must first find where the robot stopped before doing the dossier.
    expect(scenario.reworkMinutes).toBeGreaterThan(scenario.manualMinutes);
  });

  it.each(SEEDS)('%s checks the back office (guard) before its first commit, and names its file', (id) => {
    const scenario: AnyScenario = findScenario(id);
    const steps = flat(scenario.steps as readonly Step<unknown>[]);
    const firstCommit = steps.findIndex(isCommit);
    expect(firstCommit).toBeGreaterThan(0);
    expect(steps.slice(0, firstCommit).some((s) => s.action === 'guard')).toBe(true);
    expect(scenario.file).toBe(`scenarios/${id}.ts`);
  });

  it('refuses an unknown scenario, listing the known ones', () => {
    expect(() => findScenario('dipa')).toThrow(ProwebError);
    expect(() => findScenario('dipa')).toThrow('unknown scenario "dipa"');
    try {
      findScenario('dipa');
    } catch (error) {
      expect((error as ProwebError).hint).toBe(`Known scenarios: ${SEEDS.join(', ')}.`);
    }
  });
});
