import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { button, css, defineApplication, defineFlow, defineScenario, label, optional, personal, typed, type ElementParams, type Flow, type Placeholders, type StepContext, type Value } from '../../../scenarios/dsl/index.ts';

/**
 * The types of the scenario language, checked by `tsc --noEmit` (part of `npm test`): each
 * `@ts-expect-error` below must be an error, or the type-check fails. The scenarios are also
 * loaded, so the load-time rules agree with the compiler.
 */

const app = defineApplication({
  id: 'typed',
  title: 'Typed',
  loginPath: '/login',
  loginSteps: (s) => s.fill(label('Identifiant'), (c) => c.username).click(button('Entrer')),
  loginPage: css('#login'),
  loggedIn: css('#logout'),
  screens: {
    fiche: {
      path: '/fiche?numero={numero}&annee={annee}',
      elements: {
        erreur: optional(css('.erreur')),
        paiement: optional(css('#paiements tr[data-periode="{periode}"]')),
        reference: optional(css('#paiements tr[data-periode="{periode}"] .reference')),
        montant: css('#montant'),
      },
    },
    saisie: {
      path: '/saisie',
      elements: { nom: label('Nom'), motif: label('Motif'), valider: button('Valider'), refus: optional(css('.refus')) },
    },
    confirmation: { elements: { reference: css('#ref') } },
  },
});

/** A row whose nature tells whether it has a motif: a condition on `nature` narrows it. */
const input = z
  .object({ numero: z.string(), nature: z.enum(['A', 'B']), motif: z.string().optional() })
  .transform((r) => (r.nature === 'A' ? { numero: r.numero, nature: 'A' as const, motif: r.motif ?? '' } : { numero: r.numero, nature: 'B' as const }));
type Row = z.output<typeof input>;

const header = { title: 'Typed', version: '1.0.0', scope: 'local', owner: 'tests', applications: [app], input, key: ['numero'], personal: [], manualMinutes: 1 } as const;

/** A shared flow, its row inferred where it is used. */
const openFiche = <R>(numero: Value<R, {}>): Flow<R> =>
  defineFlow('open fiche', app, (s) => s.open('fiche', { numero, annee: '2020' }).rejectIf('fiche.erreur'));

describe('the scenario language’s types', () => {
  it('infers the row from the input, types extracted values and narrows in when', () => {
    const scenario = defineScenario({
      ...header,
      id: 'typed-ok',
      steps: (s) => s
        .flow(openFiche((row) => {
          expectTypeOf(row).toEqualTypeOf<Row>();
          return row.numero;
        }))
        .guard(['fiche.paiement', { periode: 'P1' }], ['fiche.reference', { periode: (row) => row.numero }])
        .extract('fiche.montant', 'montant', { parse: 'cents' })
        .extract('fiche.montant', 'texte')
        .open('saisie')
        .fill('saisie.nom', (row, ctx) => {
          expectTypeOf(ctx.vars.montant).toEqualTypeOf<number>();
          expectTypeOf(ctx.vars.texte).toEqualTypeOf<string>();
          return `${row.numero} ${ctx.vars.montant + 1}`;
        })
        .when((row) => row.nature === 'A', (then) => then.fill('saisie.motif', (row) => {
          expectTypeOf(row.motif).toEqualTypeOf<string>();
          return row.motif;
        }), (otherwise) => otherwise.fill('saisie.motif', (row) => row.nature), { note: 'motif for A only' })
        .when({ visible: 'saisie.refus' }, (then) => then.expect('saisie.refus'))
        .submit('saisie.valider', { success: 'confirmation.reference', refusal: 'saisie.refus' }),
    });
    expectTypeOf(scenario.businessKey).parameter(0).toEqualTypeOf<Row>();
    expect(scenario.steps.at(-1)).toMatchObject({ action: 'submit', success: 'confirmation.reference', reference: 'confirmation.reference' });
  });

  it('rejects at compile time (and at load time) a typo, a missing or extra parameter, a plain reference to a parameterised element', () => {
    const load = (build: () => unknown) => {
      try {
        build();
        return 'loaded';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const base = { ...header, id: 'typed-bad' };
    const end = { success: 'confirmation.reference', refusal: 'saisie.refus' } as const;
    // @ts-expect-error a typo in an element reference
    expect(load(() => defineScenario({ ...base, steps: (s) => s.open('saisie').guard('saisie.refus', 'saisie.refus').fill('saisie.nmo', 'x').submit('saisie.valider', end) }))).toContain('unknown screen field "saisie.nmo"');
    // @ts-expect-error a typo in a screen name
    expect(load(() => defineScenario({ ...base, steps: (s) => s.open('saisei').guard('saisie.refus', 'saisie.refus').submit('saisie.valider', end) }))).toContain('unknown screen "saisei"');
    // @ts-expect-error open without a parameter its path needs
    expect(load(() => defineScenario({ ...base, steps: (s) => s.open('fiche', { numero: 'x' }).guard('saisie.refus', 'saisie.refus').submit('saisie.valider', end) }))).toContain('needs {annee}');
    // @ts-expect-error open with a parameter its path does not have
    expect(load(() => defineScenario({ ...base, steps: (s) => s.open('fiche', { numero: 'x', annee: 'y', mois: 'z' }).guard('saisie.refus', 'saisie.refus').submit('saisie.valider', end) }))).toContain('has no {mois}');
    // @ts-expect-error a parameterised element named without its parameters
    expect(load(() => defineScenario({ ...base, steps: (s) => s.open('saisie').guard('fiche.paiement', 'saisie.refus').submit('saisie.valider', end) }))).toContain('fiche.paiement is parameterised');
    // @ts-expect-error a parameterised element missing a parameter
    expect(load(() => defineScenario({ ...base, steps: (s) => s.open('saisie').guard(['fiche.paiement', {}], 'saisie.refus').submit('saisie.valider', end) }))).toContain('needs {periode}');
    // @ts-expect-error a parameterised element given a parameter it does not have
    expect(load(() => defineScenario({ ...base, steps: (s) => s.open('saisie').guard(['fiche.paiement', { periode: 'P1', annee: '2020' }], 'saisie.refus').submit('saisie.valider', end) }))).toContain('has no {annee}');
    // @ts-expect-error a CSS selector in a scenario's step
    expect(load(() => defineScenario({ ...base, steps: (s) => s.open('saisie').guard(css('#paid'), 'saisie.refus').submit('saisie.valider', end) }))).toContain('a scenario holds no selector');
    // @ts-expect-error a parameterised element in { visible } without its values
    expect(load(() => defineScenario({ ...base, steps: (s) => s.open('saisie').guard('saisie.refus', 'saisie.refus').when({ visible: 'fiche.paiement' }, (t) => t.fill('saisie.nom', 'x')).submit('saisie.valider', end) }))).toContain('if: fiche.paiement is parameterised');
    // @ts-expect-error a plain element named with parameters
    expect(load(() => defineScenario({ ...base, steps: (s) => s.open('saisie').guard(['saisie.refus', { x: 'y' }], 'saisie.refus').submit('saisie.valider', end) }))).toContain('has no parameters');
  });

  it('keeps the literal strings of targets through the element flags, and reads their placeholders', () => {
    expectTypeOf(optional(personal(css('#a')))).toEqualTypeOf<{ by: 'css'; css: '#a' } & { personal: true } & { optional: true }>();
    expectTypeOf(typed(label('Nom {x}')).label).toEqualTypeOf<'Nom {x}'>();
    expectTypeOf<Placeholders<'/fiche?numero={numero}&annee={annee}'>>().toEqualTypeOf<'numero' | 'annee'>();
    expectTypeOf<ElementParams<ReturnType<typeof button<'Payer {mois}'>>>>().toEqualTypeOf<'mois'>();
    expectTypeOf<Placeholders<'#ref'>>().toBeNever();
  });

  it('takes when’s options last, with or without an else branch, and a parameterised element in { visible }', () => {
    const scenario = defineScenario({
      ...header,
      id: 'typed-when',
      steps: (s) => s
        .open('saisie')
        .guard('saisie.refus', 'saisie.refus')
        .when({ visible: ['fiche.paiement', { periode: (row) => row.numero }] }, (then) => then.fill('saisie.nom', 'x'), { note: 'paid' })
        .submit('saisie.valider', { success: 'confirmation.reference', refusal: 'saisie.refus', reference: 'confirmation.reference' }),
    });
    expect(scenario.steps[2]).toMatchObject({ action: 'when', note: 'paid' });
    expect(scenario.steps[2]).not.toHaveProperty('else');
  });

  it('types values, conditions and extracted values', () => {
    defineScenario({
      ...header,
      id: 'typed-values',
      steps: (s) => s
        .open('saisie')
        .guard('saisie.refus', 'saisie.refus')
        // @ts-expect-error a field the row does not have
        .fill('saisie.nom', (row) => row.nom)
        // @ts-expect-error a value that is not text
        .fill('saisie.nom', (row) => row.numero.length)
        // @ts-expect-error a variable no earlier step extracted
        .fill('saisie.motif', (_row, ctx) => ctx.vars.montant)
        .when((row) => row.nature === 'B', (then) => then
          // @ts-expect-error the B rows have no motif
          .fill('saisie.motif', (row) => row.motif))
        .submit('saisie.valider', { success: 'confirmation.reference', refusal: 'saisie.refus' }),
    });
    expectTypeOf<StepContext<Row, { n: number }>['vars']['n']>().toEqualTypeOf<number>();
  });
});
