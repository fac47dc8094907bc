import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScenarioDefinitionError } from '../../../core/errors.ts';
import { progres } from '../../../scenarios/applications/progres.ts';
import { button, css, defineScenario, label, type Step } from '../../../scenarios/dsl/index.ts';

const input = z.object({ ps: z.string() });

/** A well-formed scenario, written with the builder. */
const valid = () => ({
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
  steps: (s: any) => s
    .open('fichePs', { numero: (row: { ps: string }) => row.ps })
    .guard(['fichePs.paiement', { dispositif: 'DIPA', periode: 'P1' }], ['fichePs.referencePaiement', { dispositif: 'DIPA', periode: 'P1' }])
    .open('paiement', { ps: (row: { ps: string }) => row.ps })
    .fill('paiement.montant', '10,00')
    .submit('paiement.valider', { success: 'confirmationPaiement.reference', refusal: 'paiement.refus' }),
}) as const;

/** The valid scenario's steps, as data. */
const validSteps = (): readonly Step<unknown>[] => defineScenario(valid()).steps as readonly Step<unknown>[];

/** Steps given as data, as a tool or a hand-made builder could give them: load time checks them all the same. */
const raw = (list: readonly unknown[]) => () => ({ list });

const loadError = (def: unknown) => {
  try {
    defineScenario(def as ReturnType<typeof valid>);
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
    const message = loadError({ ...valid(), steps: raw([validSteps()[0], { action: 'teleport' }]) });
    expect(message).toContain('scenario sample-payment');
    expect(message).toContain('step 2 (teleport)');
    expect(message).toContain('unknown step type');
    expect(message).toContain('(tests/scenarios/dsl/scenario.test.ts)');
  });

  it('refuses steps that are not written with the builder', () => {
    expect(loadError({ ...valid(), steps: validSteps() })).toContain('steps: must be a function of the step builder');
  });

  it('refuses a CSS selector, or any direct target, in a scenario’s steps: every selector lives in a screen map', () => {
    const [open, guard, ...rest] = validSteps();
    expect(loadError({ ...valid(), steps: raw([open, { ...guard, found: css('#paid') }, ...rest]) }))
      .toContain("step 2 (guard): found: a CSS selector in a scenario's step: declare the element in its application's screen map and name it screen.element");
    expect(loadError({ ...valid(), steps: raw([open, guard, { action: 'fill', target: label('Montant (€)'), value: '1' }, ...rest]) })).toContain('step 3 (fill): target: a direct target');
    expect(loadError({ ...valid(), steps: raw([open, guard, { action: 'click', target: () => 'paiement.valider' }, ...rest]) })).toContain('an element computed by a function cannot be checked');
  });

  it('refuses a parameterised element without its values, or with values it does not have', () => {
    const [open, guard, ...rest] = validSteps();
    expect(loadError({ ...valid(), steps: raw([open, { ...guard, found: 'fichePs.paiement' }, ...rest]) }))
      .toContain("found: fichePs.paiement is parameterised: name it with its values, ['fichePs.paiement', { dispositif: ..., periode: ... }]");
    expect(loadError({ ...valid(), steps: raw([open, { ...guard, found: ['fichePs.paiement', { dispositif: 'DIPA' }] }, ...rest]) })).toContain('fichePs.paiement needs {periode}');
    expect(loadError({ ...valid(), steps: raw([open, { ...guard, found: ['fichePs.paiement', { dispositif: 'DIPA', periode: 'P1', an: '2020' }] }, ...rest]) })).toContain('fichePs.paiement has no {an}');
    expect(loadError({ ...valid(), steps: raw([open, { ...guard, found: ['fichePs.erreur', {}] }, ...rest]) })).toContain("fichePs.erreur has no parameters: name it alone, 'fichePs.erreur'");
  });

  it('refuses a submit that no guard protects, because it could enter a dossier twice', () => {
    const message = loadError({ ...valid(), steps: raw(validSteps().filter((s) => s.action !== 'guard')) });
    expect(message).toContain('submit: a guard step must come before the first commit');
  });

  it('counts only a guard that runs on every dossier: not one in a when branch, one in a flow at the top level', () => {
    const [open, guard, ...rest] = validSteps();
    for (const branch of [{ then: [guard] }, { then: [{ action: 'expect', target: 'paiement.ps' }], else: [guard] }, { then: [guard], else: [guard] }]) {
      expect(loadError({ ...valid(), steps: raw([open, { action: 'when', if: () => false, ...branch }, ...rest]) }))
        .toContain('submit: a guard step must come before the first commit');
    }
    const inFlowInWhen = { action: 'when', if: () => true, then: [{ action: 'flow', name: 'check paid', steps: [guard] }] };
    expect(loadError({ ...valid(), steps: raw([open, inFlowInWhen, ...rest]) })).toContain('a guard in a when branch may be skipped');
    // Written with the builder, as the review found it loading.
    const builder = (s: any) => s
      .open('fichePs', { numero: (row: { ps: string }) => row.ps })
      .when(() => false, (b: any) => b.guard(['fichePs.paiement', { dispositif: 'DIPA', periode: 'P1' }], ['fichePs.referencePaiement', { dispositif: 'DIPA', periode: 'P1' }]))
      .open('paiement', { ps: (row: { ps: string }) => row.ps })
      .submit('paiement.valider', { success: 'confirmationPaiement.reference', refusal: 'paiement.refus' });
    expect(loadError({ ...valid(), steps: builder })).toContain('submit: a guard step must come before the first commit');

    const inFlow = { action: 'flow', name: 'check paid', steps: [{ action: 'flow', name: 'inner', steps: [guard] }] };
    expect(defineScenario({ ...valid(), steps: raw([open, inFlow, ...rest]) } as unknown as ReturnType<typeof valid>).steps[1]).toMatchObject({ action: 'flow' });
    // A guard on every dossier, then a commit in a branch: protected.
    const commitInBranch = { action: 'when', if: () => true, then: rest };
    expect(defineScenario({ ...valid(), steps: raw([open, guard, commitInBranch]) } as unknown as ReturnType<typeof valid>).steps[2]).toMatchObject({ action: 'when' });
  });

  it('refuses malformed values', () => {
    const [open] = validSteps();
    expect(loadError({ ...valid(), steps: raw([open, { action: 'fill', target: 'paiement.montant', value: 12 }]) })).toContain('value must be a string');
    expect(loadError({ ...valid(), steps: raw([open, { action: 'check', target: 'paiement.montant', value: 'yes' }]) })).toContain('value must be true, false');
  });

  it('gives submit’s reference its success element by default', () => {
    expect(validSteps().at(-1)).toMatchObject({ action: 'submit', success: 'confirmationPaiement.reference', reference: 'confirmationPaiement.reference' });
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
    expect(loadError({ ...valid(), steps: (s: unknown) => s })).toContain('at least one step');
  });

  it('refuses a screen field that the screen map does not have, naming the scenario file and step', () => {
    const [open, ...rest] = validSteps();
    const message = loadError({ ...valid(), steps: raw([open, { action: 'fill', target: 'paiement.montnt', value: '1,00' }, ...rest]) });
    expect(message).toContain('scenario sample-payment (tests/scenarios/dsl/scenario.test.ts)');
    expect(message).toContain('step 2 (fill): target: unknown screen field "paiement.montnt"; paiement has: ps, dispositif, montant');
    expect(loadError({ ...valid(), steps: raw([{ action: 'click', target: 'paiment.valider' }, open, ...rest]) })).toContain('unknown screen "paiment"; known screens: accueil, confirmationPaiement, fichePs, paiement');
  });

  it('refuses to open a screen without the values its path needs', () => {
    const [, ...rest] = validSteps();
    expect(loadError({ ...valid(), steps: raw([{ action: 'open', screen: 'fichePs' }, ...rest]) })).toContain('step 1 (open): screen fichePs needs {numero}');
    expect(loadError({ ...valid(), steps: raw([{ action: 'open', screen: 'confirmationPaiement' }, ...rest]) })).toContain('screen confirmationPaiement has no path');
  });

  it('numbers nested steps and checks them too', () => {
    const [open, ...rest] = validSteps();
    expect(loadError({ ...valid(), steps: raw([open, { action: 'when', if: () => true, then: [{ action: 'fill', target: 'paiement.nope', value: 'x' }] }, ...rest]) }))
      .toContain('step 2.1 (fill): target: unknown screen field "paiement.nope"');
    expect(loadError({ ...valid(), steps: raw([open, { action: 'when', if: () => true, then: [{ action: 'expect', target: 'paiement.ps' }], else: [{ action: 'click', target: 'x.y' }] }, ...rest]) }))
      .toContain('step 2.else.1 (click)');
    expect(loadError({ ...valid(), steps: raw([open, { action: 'when', if: { visible: 'fichePs.paiement' }, then: [{ action: 'expect', target: 'paiement.ps' }] }, ...rest]) }))
      .toContain('step 2 (when): if: fichePs.paiement is parameterised');
  });

  it('counts a click marked commit as a commit: a guard must come before it too', () => {
    const [open, ...rest] = validSteps();
    const message = loadError({ ...valid(), steps: raw([open, { action: 'click', target: 'paiement.valider', commit: true }, ...rest]) });
    expect(message).toContain('click (commit): a guard step must come before the first commit');
  });

  it('fails to load a scenario file with an unknown step type, naming the file and the step', async () => {
    const error = await import('./malformed/unknown-step.ts').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioDefinitionError);
    expect((error as Error).message).toContain('scenario malformed-unknown-step (tests/scenarios/dsl/malformed/unknown-step.ts)');
    expect((error as Error).message).toContain('steps: ');
    expect((error as Error).message).toContain('clic is not a function');
  });

  it('fails to load a scenario file that names an undefined screen field, naming the file and the nested step', async () => {
    const error = await import('./malformed/undefined-field.ts').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioDefinitionError);
    expect((error as Error).message).toContain('scenario malformed-undefined-field (tests/scenarios/dsl/malformed/undefined-field.ts)');
    expect((error as Error).message).toContain('step 4.1 (fill): target: unknown screen field "paiement.montantP2"; paiement has: ps, dispositif, montant');
  });
});
