import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScenarioDefinitionError } from '../../../core/errors.ts';
import { progres } from '../../../scenarios/applications/progres.ts';
import { button, css, defineScenario, label, steps, type ScenarioDefinition } from '../../../scenarios/dsl/index.ts';

type Row = { ps: string };
const input = z.object({ ps: z.string() });

const valid = (): ScenarioDefinition<Row> => ({
  id: 'sample-payment',
  title: 'Sample',
  version: '1.0.0',
  scope: 'local',
  owner: 'MOAD',
  applications: [progres],
  input,
  key: ['ps'],
  personal: [],
  manualMinutes: 3,
  steps: [
    steps.goto('progres', ({ row }) => `/progres/ps?numero=${row.ps}`),
    steps.guard(css('#paid'), css('#paid .ref')),
    steps.fill(label('Montant (€)'), '10,00'),
    steps.submit(button('Valider'), { success: css('#ok'), reference: css('#ok'), refusal: css('.refus') }),
  ],
});

const loadError = (def: unknown) => {
  try {
    defineScenario(def as ScenarioDefinition<Row>);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioDefinitionError);
    return (error as Error).message;
  }
  throw new Error('the scenario loaded');
};

describe('defineScenario', () => {
  it('loads a well-formed scenario and derives its business key from the key fields', () => {
    const scenario = defineScenario(valid());
    expect(scenario.businessKey({ ps: '123' })).toBe('123');
    expect(scenario.describeKey({ ps: '123' })).toBe('ps 123');
    expect(Object.isFrozen(scenario)).toBe(true);
  });

  it('refuses an unknown step type, naming the scenario and the step', () => {
    const def = valid();
    const message = loadError({ ...def, steps: [def.steps[0], { action: 'teleport' }] });
    expect(message).toContain('scenario sample-payment');
    expect(message).toContain('step 2 (teleport)');
    expect(message).toContain('unknown step type');
    expect(message).toContain('(tests/scenarios/dsl/scenario.test.ts)');
  });

  it('refuses a goto to an application the scenario does not declare', () => {
    const def = valid();
    const message = loadError({ ...def, steps: [steps.goto('ameli-pro', '/'), ...def.steps.slice(1)] });
    expect(message).toContain('step 1 (goto)');
    expect(message).toContain('"ameli-pro" is not declared');
  });

  it('refuses a submit that no guard protects, because it could enter a dossier twice', () => {
    const def = valid();
    const message = loadError({ ...def, steps: def.steps.filter((s) => s.action !== 'guard') });
    expect(message).toContain('submit: a guard step must come before the first commit');
  });

  it('refuses malformed targets and values', () => {
    const def = valid();
    expect(loadError({ ...def, steps: [def.steps[0], { action: 'fill', target: { by: 'xpath', xpath: '//a' }, value: 'x' }] })).toContain('unknown target kind "xpath"');
    expect(loadError({ ...def, steps: [def.steps[0], { action: 'fill', target: label('Montant'), value: 12 }] })).toContain('value must be a string');
    expect(loadError({ ...def, steps: [def.steps[0], { action: 'click', target: { by: 'role', role: 'banana' } }] })).toContain('unknown role "banana"');
  });

  it.each([
    ['id', 'Sample Payment', 'kebab-case'],
    ['version', 'v1', 'semantic version'],
    ['manualMinutes', 0, 'positive'],
    ['key', [], 'at least one field'],
  ] as const)('refuses a bad %s', (field, value, expected) => {
    expect(loadError({ ...valid(), [field]: value })).toContain(expected);
  });

  it('refuses a scenario without steps', () => {
    expect(loadError({ ...valid(), steps: [] })).toContain('at least one step');
  });

  it('refuses a screen field that the screen map does not have, naming the scenario file and step', () => {
    const def = valid();
    const message = loadError({ ...def, steps: [def.steps[0], steps.fill('paiement.montnt', '1,00'), ...def.steps.slice(1)] });
    expect(message).toContain('scenario sample-payment (tests/scenarios/dsl/scenario.test.ts)');
    expect(message).toContain('step 2 (fill): target: unknown screen field "paiement.montnt"; paiement has: ps, dispositif, montant');
    expect(loadError({ ...def, steps: [steps.click('paiment.valider'), ...def.steps] })).toContain('unknown screen "paiment"; known screens: accueil, confirmationPaiement, fichePs, paiement');
  });

  it('refuses to open a screen without the values its path needs', () => {
    const def = valid();
    expect(loadError({ ...def, steps: [steps.open('fichePs'), ...def.steps.slice(1)] })).toContain('step 1 (open): screen fichePs needs {numero}');
    expect(loadError({ ...def, steps: [steps.open('confirmationPaiement'), ...def.steps.slice(1)] })).toContain('screen confirmationPaiement has no path');
  });

  it('numbers nested steps and checks them too', () => {
    const def = valid();
    expect(loadError({ ...def, steps: [def.steps[0], steps.when(() => true, [steps.fill('paiement.nope', 'x')]), ...def.steps.slice(1)] }))
      .toContain('step 2.1 (fill): target: unknown screen field "paiement.nope"');
    expect(loadError({ ...def, steps: [def.steps[0], steps.when(() => true, [steps.expect('paiement.ps')], [steps.click('x.y')]), ...def.steps.slice(1)] }))
      .toContain('step 2.else.1 (click)');
  });

  it('refuses a loop over a table no earlier step reads', () => {
    const def = valid();
    expect(loadError({ ...def, steps: [def.steps[0], steps.forEach('ayantsDroit', [steps.expect('paiement.ps')]), ...def.steps.slice(1)] }))
      .toContain('step 2 (forEach): table "ayantsDroit" is not read by an earlier extractTable step');
  });

  it('counts a click marked commit as a commit: a guard must come before it too', () => {
    const def = valid();
    const message = loadError({ ...def, steps: [def.steps[0], steps.click('paiement.valider', { commit: true }), ...def.steps.slice(1)] });
    expect(message).toContain('click (commit): a guard step must come before the first commit');
  });

  it('fails to load a scenario file with an unknown step type, naming the file and the step', async () => {
    const error = await import('./malformed/unknown-step.ts').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioDefinitionError);
    expect((error as Error).message).toContain('scenario malformed-unknown-step (tests/scenarios/dsl/malformed/unknown-step.ts)');
    expect((error as Error).message).toContain('step 3 (clic): unknown step type; expected one of goto, open, fill');
  });

  it('fails to load a scenario file that names an undefined screen field, naming the file and the nested step', async () => {
    const error = await import('./malformed/undefined-field.ts').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioDefinitionError);
    expect((error as Error).message).toContain('scenario malformed-undefined-field (tests/scenarios/dsl/malformed/undefined-field.ts)');
    expect((error as Error).message).toContain('step 4.1 (fill): target: unknown screen field "paiement.montantP2"; paiement has: ps, dispositif, montant');
  });
});
