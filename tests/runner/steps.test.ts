import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScreenChanged } from '../../core/errors.ts';
import { Robot } from '../../runner/index.ts';
import { button, css, defineApplication, defineFlow, defineScenario, label, link, optional, type Flow, type RawRow, type Steps } from '../../scenarios/dsl/index.ts';
import { startMiniApp, type MiniApp } from '../support/mini-app.ts';

const mini = defineApplication({
  id: 'mini',
  title: 'Mini',
  loginPath: '/mini/login',
  loginSteps: (s) => s.fill(label('Identifiant'), 'robot').fill(label('Mot de passe'), 'secret').click(button('Entrer')),
  loginPage: css('#login'),
  loggedIn: link('Sortir'),
  screens: {
    home: { path: '/mini/home', elements: { amount: css('#amount'), nothing: optional(css('#nothing-here')) } },
    form: {
      path: '/mini/form',
      elements: {
        nom: label('Nom'), debut: label('Date de début'), fin: label('Date de fin'), covid: label('COVID'), hors: label('Hors COVID'),
        subrogation: label('Subrogation'), motif: label('Motif'), valider: button('Valider'), refus: optional(css('.refus')),
        never: optional(css('#never')), disparu: label('Champ disparu'),
      },
    },
    done: { elements: { reference: css('#ref') } },
    table: {
      path: '/mini/table',
      elements: {
        ayantsDroit: css('#ad'),
        /** An id with a placeholder: in a quoted attribute value, as the loader requires (`#detach-{rang}` is refused). */
        detacher: css('[id="detach-{rang}"]'),
        /** A placeholder in a quoted attribute value: quotes and backslashes escaped. */
        detacherNom: css('tr[data-nom="{nom}"] a'),
        statut: css('tr[data-rang="{rang}"] td:nth-child(3)'),
      },
    },
  },
});

const input = z.object({ nom: z.string(), debut: z.string(), fin: z.string(), covid: z.boolean(), subrogation: z.boolean() });
type Row = z.output<typeof input>;
const row: Row = { nom: 'DURAND', debut: '2020-04-01', fin: '2020-04-15', covid: true, subrogation: false };

type Chain = Steps<Row, (typeof mini)['screens'], any>;
const header = { title: 'Mini', version: '1.0.0', scope: 'local', owner: 'tests', applications: [mini], input: input as unknown as z.ZodType<Row, RawRow>, key: ['nom'], personal: ['nom'], manualMinutes: 1 } as const;

/** A scenario: `before` steps, then the form opened and guarded, `body` typed into it, then the commit. */
const scenario = (before: (s: Chain) => Chain = (s) => s, body: (s: Chain) => Chain = (s) => s.fill('form.nom', (r) => r.nom), id = 'mini-test') =>
  defineScenario({
    ...header, id, timeoutMs: 2_000,
    steps: (s) => body(before(s).open('form').guard('form.never', 'form.never')).submit('form.valider', { success: 'done.reference', refusal: 'form.refus' }),
  });

let app: MiniApp;
let robot: Robot;
beforeAll(async () => {
  app = await startMiniApp();
  robot = await Robot.launch({ applications: { mini: { baseUrl: app.url, username: 'robot', password: 'secret' } } });
});
afterAll(async () => {
  await robot?.close();
  await app?.close();
});
beforeEach(() => {
  app.submissions.length = 0;
  app.detached.length = 0;
});

describe('steps of the scenario language, in a real browser', () => {
  it('types a date as ISO in a date picker and as dd/mm/yyyy in a text field; ticks, chooses and selects', async () => {
    const outcome = await robot.run(scenario(undefined, (s) => s
      .fill('form.nom', (r) => r.nom)
      .date('form.debut', (r) => r.debut)
      .date('form.fin', (r) => r.fin)
      .when((r) => r.covid, (then) => then.check('form.covid'), (otherwise) => otherwise.check('form.hors'))
      .check('form.subrogation', (r) => r.subrogation)
      .select('form.motif', "Garde d'enfant")), row, { dossierId: 'a' });
    expect(outcome).toMatchObject({ status: 'done', reference: 'MINI-1', alreadyEntered: false });
    expect(app.submissions).toEqual([{ nom: 'DURAND', debut: '2020-04-01', fin: '15/04/2020', nature: 'COVID', motif: 'GARDE' }]);
    await robot.run(scenario(undefined, (s) => s.check('form.subrogation', true).when((r) => r.covid, (t) => t.check('form.covid'), (o) => o.check('form.hors'))), { ...row, covid: false }, { dossierId: 'b' });
    expect(app.submissions[1]).toMatchObject({ sub: 'O', nature: 'HORS' });
  });

  it('reads an amount into cents, a number for the next steps, and decides with when', async () => {
    await robot.run(scenario(
      (s) => s.open('home').extract('home.amount', 'due', { pattern: /:\s*(.+)$/, parse: 'cents' }),
      (s) => s
        .when((_r, { vars }) => vars.due === 123456, (then) => then.fill('form.nom', (_r, { vars }) => `due is ${vars.due + 1}`), (otherwise) => otherwise.fill('form.nom', 'wrong'))
        .when({ visible: 'home.nothing' }, (then) => then.fill('form.nom', 'visible?!')),
    ), row, { dossierId: 'c' });
    expect(app.submissions).toEqual([expect.objectContaining({ nom: 'due is 123457' })]);
  });

  it('asserts what the screen shows, and fails naming the step and what it showed instead', async () => {
    await robot.run(scenario((s) => s.open('home').expect('home.amount', { text: /1 234,56 €$/ })), row, { dossierId: 'x1' });
    expect(app.submissions).toHaveLength(1);
    const error = await robot.run(scenario((s) => s.open('home').expect('home.amount', { text: 'Montant dû : 99,00 €' }), undefined, 'mini-expect'), row, { dossierId: 'x2' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScreenChanged);
    expect((error as Error).message).toMatch(/^mini-expect step 2 \(expect home\.amount \[css #amount\]\): expected Montant dû : 99,00 € but the screen shows "Montant dû : 1 234,56 €"/);
    expect(app.submissions).toHaveLength(1);
  });

  it('finds parameterised elements with the dossier’s values, escaped for where they stand in the selector', async () => {
    await robot.run(scenario((s) => s
      .open('table')
      .click(['table.detacher', { rang: '1' }])
      .expect(['table.statut', { rang: '1' }], { text: 'Détaché' })
      .click(['table.detacherNom', { nom: `D'ARC "JEANNE" \\ LA` }])), row, { dossierId: 'd' });
    expect(app.detached).toEqual(['1', '4']);
  });

  it('names a parameterised element by its placeholders when it fails, never by the dossier’s values', async () => {
    const error = await robot.run(scenario((s) => s.open('table').click(['table.detacher', { rang: (r) => r.nom }], { timeoutMs: 300 }), undefined, 'mini-param'), row, { dossierId: 'd2' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScreenChanged);
    expect((error as Error).message).toMatch(/^mini-param step 2 \(click table\.detacher \[css \[id="detach-\{rang\}"\]\]\): nothing matched/);
    expect((error as Error).message).not.toContain('DURAND');
  });

  it('checks a screen’s parameterised elements with the values the scenario gives them for the row walked (check-screens)', async () => {
    const walk = (rang: string) => robot.checkScreens(scenario((s) => s.open('table').expect(['table.statut', { rang: () => rang }], { timeoutMs: 300 }), undefined, `mini-check-${rang}`), row, { dossierId: `check-${rang}` });
    const found = await walk('3');
    const table = found.checked.filter((c) => c.screen === 'table');
    // `detacher` and `detacherNom` have no values in this scenario: another scenario's to check.
    expect(table.map((c) => [c.element, c.found])).toEqual([['ayantsDroit', true], ['statut', true]]);
    expect(table.find((c) => c.element === 'statut')!.description).toBe('css tr[data-rang="{rang}"] td:nth-child(3)');
    const missing = await walk('9');
    expect(missing.checked.filter((c) => c.screen === 'table').map((c) => [c.element, c.found])).toEqual([['ayantsDroit', true], ['statut', false]]);
    expect(missing.failure).toBeInstanceOf(ScreenChanged);
    expect(app.submissions).toEqual([]);
  });

  it('names the step inside a sub-flow when it fails', async () => {
    const openAndType = <R>(value: string): Flow<R> => defineFlow('open and type', mini, (s) => s.open('form').fill('form.disparu', value, { timeoutMs: 500 }));
    const error = await robot.run(scenario((s) => s.flow(openAndType('x')), undefined, 'mini-flow'), row, { dossierId: 'e' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScreenChanged);
    expect((error as Error).message).toMatch(/^mini-flow step 1\.2 \(fill form\.disparu \[label "Champ disparu"\]\): nothing matched/);
  });

  it('does every step but the commit in a dry run', async () => {
    const outcome = await robot.run(scenario(), row, { dossierId: 'f', dryRun: true });
    expect(outcome).toMatchObject({ status: 'done', dryRun: true, reference: '(dry run)' });
    expect(app.submissions).toEqual([]);
  });

  it('stops a dry run before a click marked commit', async () => {
    const outcome = await robot.run(scenario(undefined, (s) => s.click('form.valider', { commit: true })), row, { dossierId: 'h', dryRun: true });
    expect(outcome).toMatchObject({ status: 'done', dryRun: true });
    expect(app.submissions).toEqual([]);
  });

  it('reports each step as it runs', async () => {
    const seen: string[] = [];
    await robot.run(scenario(), row, { dossierId: 'g', onStep: (e) => seen.push(`${e.at.stepIndex} ${e.at.step}${e.at.target && e.at.step !== 'guard' ? ` ${e.at.target}` : ''} ${e.outcome}`) });
    expect(seen).toEqual(['1 open form ok', '2 guard ok', '3 fill form.nom [label "Nom"] ok', '4 submit form.valider [button "Valider"] ok']);
  });

  it('resolves each step’s timeout: the step’s own, else its scenario’s, else the robot’s default', async () => {
    const failing = (timeouts: { step?: number; scenario?: number }, id: string) =>
      defineScenario({
        ...header, id,
        ...(timeouts.scenario ? { timeoutMs: timeouts.scenario } : {}),
        steps: (s) => s
          .open('form')
          .guard('form.never', 'form.never')
          .fill('form.disparu', 'x', timeouts.step ? { timeoutMs: timeouts.step } : {})
          .submit('form.valider', { success: 'done.reference', refusal: 'form.refus' }),
      });
    const quick = await Robot.launch({ applications: { mini: { baseUrl: app.url, username: 'robot', password: 'secret' } }, defaultTimeoutMs: 400 });
    try {
      const messageOf = (s: ReturnType<typeof failing>) => quick.run(s, row, { dossierId: s.id }).then(() => 'done', (e: unknown) => (e as Error).message);
      expect(await messageOf(failing({ step: 250, scenario: 600 }, 'timeout-step'))).toMatch(/^timeout-step step 3 \(fill form\.disparu \[label "Champ disparu"\]\): nothing matched on screen within 250 ms/);
      expect(await messageOf(failing({ scenario: 600 }, 'timeout-scenario'))).toMatch(/within 600 ms/);
      expect(await messageOf(failing({}, 'timeout-default'))).toMatch(/within 400 ms/);
    } finally {
      await quick.close();
    }
    expect(app.submissions).toEqual([]);
  });
});
