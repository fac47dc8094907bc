import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScreenChanged } from '../../core/errors.ts';
import { Robot } from '../../runner/index.ts';
import { button, css, defineApplication, defineFlow, defineScenario, label, link, optional, steps, type Step } from '../../scenarios/dsl/index.ts';
import { startMiniApp, type MiniApp } from '../support/mini-app.ts';

const mini = defineApplication({
  id: 'mini',
  title: 'Mini',
  loginPath: '/mini/login',
  loginSteps: [steps.fill(label('Identifiant'), 'robot'), steps.fill(label('Mot de passe'), 'secret'), steps.click(button('Entrer'))],
  loginPage: css('#login'),
  loggedIn: link('Sortir'),
  screens: {
    home: { path: '/mini/home', elements: { amount: css('#amount') } },
    form: {
      path: '/mini/form',
      elements: {
        nom: label('Nom'), debut: label('Date de début'), fin: label('Date de fin'), covid: label('COVID'), hors: label('Hors COVID'),
        subrogation: label('Subrogation'), motif: label('Motif'), valider: button('Valider'), refus: optional(css('.refus')),
      },
    },
    done: { elements: { reference: css('#ref') } },
    table: { path: '/mini/table', elements: { ayantsDroit: css('#ad') } },
  },
});

type Row = { nom: string; debut: string; fin: string; covid: boolean; subrogation: boolean };
const input = z.object({ nom: z.string(), debut: z.string(), fin: z.string(), covid: z.boolean(), subrogation: z.boolean() });
const row: Row = { nom: 'DURAND', debut: '2020-04-01', fin: '2020-04-15', covid: true, subrogation: false };

/** A scenario: `before` steps, then the form opened and guarded, `body` typed into it, then the commit. */
const scenario = (before: Step<Row>[], body: Step<Row>[] = [steps.fill('form.nom', ({ row: r }) => r.nom)], id = 'mini-test') =>
  defineScenario<Row>({
    id, title: 'Mini', version: '1.0.0', scope: 'local', owner: 'tests', applications: [mini],
    input: input as unknown as z.ZodType<Row, Record<string, string | undefined>>, key: ['nom'], personal: ['nom'], manualMinutes: 1, timeoutMs: 2_000,
    steps: [
      ...before,
      steps.open('form'),
      steps.guard(css('#never'), css('#never')),
      ...body,
      steps.submit('form.valider', { success: 'done.reference', reference: 'done.reference', refusal: 'form.refus' }),
    ],
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
    const outcome = await robot.run(scenario([], [
      steps.fill('form.nom', ({ row: r }) => r.nom),
      steps.date('form.debut', ({ row: r }) => r.debut),
      steps.date('form.fin', ({ row: r }) => r.fin),
      steps.check(({ row: r }) => (r.covid ? 'form.covid' : 'form.hors')),
      steps.check('form.subrogation', ({ row: r }) => r.subrogation),
      steps.select('form.motif', "Garde d'enfant"),
    ]), row, { dossierId: 'a' });
    expect(outcome).toMatchObject({ status: 'done', reference: 'MINI-1', alreadyEntered: false });
    expect(app.submissions).toEqual([{ nom: 'DURAND', debut: '2020-04-01', fin: '15/04/2020', nature: 'COVID', motif: 'GARDE' }]);
    await robot.run(scenario([], [steps.check('form.subrogation', true), steps.check(({ row: r }) => (r.covid ? 'form.covid' : 'form.hors'))]), { ...row, covid: false }, { dossierId: 'b' });
    expect(app.submissions[1]).toMatchObject({ sub: 'O', nature: 'HORS' });
  });

  it('reads an amount into cents and decides with when', async () => {
    await robot.run(scenario(
      [steps.open('home'), steps.extract('home.amount', 'due', { pattern: /:\s*(.+)$/, parse: 'cents' })],
      [
        steps.when(({ vars }) => vars.due === '123456', [steps.fill('form.nom', 'due is 123456')], [steps.fill('form.nom', `wrong`)]),
        steps.when({ visible: css('#nothing-here') }, [steps.fill('form.nom', 'visible?!')]),
      ],
    ), row, { dossierId: 'c' });
    expect(app.submissions).toEqual([expect.objectContaining({ nom: 'due is 123456' })]);
  });

  it('asserts what the screen shows, and fails naming the step and what it showed instead', async () => {
    await robot.run(scenario([steps.open('home'), steps.expect('home.amount', { text: /1 234,56 €$/ })]), row, { dossierId: 'x1' });
    expect(app.submissions).toHaveLength(1);
    const error = await robot.run(scenario([steps.open('home'), steps.expect('home.amount', { text: 'Montant dû : 99,00 €' })], undefined, 'mini-expect'), row, { dossierId: 'x2' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScreenChanged);
    expect((error as Error).message).toMatch(/^mini-expect step 2 \(expect home\.amount \[css #amount\]\): expected Montant dû : 99,00 € but the screen shows "Montant dû : 1 234,56 €"/);
    expect(app.submissions).toHaveLength(1);
  });

  it('loops over the rows of a table, only those a condition keeps', async () => {
    await robot.run(scenario([
      steps.open('table'),
      steps.extractTable('table.ayantsDroit', 'ayantsDroit'),
      steps.forEach('ayantsDroit', [steps.click(({ item }) => css(`#detach-${item!['data-rang']}`))], { where: (item) => item.Statut === 'Rattaché' }),
    ]), row, { dossierId: 'd' });
    expect(app.detached).toEqual(['1', '3']);
  });

  it('names the step inside a sub-flow when it fails', async () => {
    const openAndType = <R>(value: string) => defineFlow<R>('open and type', [steps.open('form'), steps.fill(label('Champ disparu'), value)]);
    const error = await robot.run(scenario([openAndType<Row>('x')], undefined, 'mini-flow'), row, { dossierId: 'e' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScreenChanged);
    expect((error as Error).message).toMatch(/^mini-flow step 1\.2 \(fill label "Champ disparu"\): nothing matched/);
  });

  it('does every step but the commit in a dry run', async () => {
    const outcome = await robot.run(scenario([]), row, { dossierId: 'f', dryRun: true });
    expect(outcome).toMatchObject({ status: 'done', dryRun: true, reference: '(dry run)' });
    expect(app.submissions).toEqual([]);
  });

  it('stops a dry run before a click marked commit', async () => {
    const outcome = await robot.run(scenario([], [steps.click('form.valider', { commit: true })]), row, { dossierId: 'h', dryRun: true });
    expect(outcome).toMatchObject({ status: 'done', dryRun: true });
    expect(app.submissions).toEqual([]);
  });

  it('reports each step as it runs', async () => {
    const seen: string[] = [];
    await robot.run(scenario([]), row, { dossierId: 'g', onStep: (e) => seen.push(`${e.at.stepIndex} ${e.at.step}${e.at.target && e.at.step !== 'guard' ? ` ${e.at.target}` : ''} ${e.outcome}`) });
    expect(seen).toEqual(['1 open form ok', '2 guard ok', '3 fill form.nom [label "Nom"] ok', '4 submit form.valider [button "Valider"] ok']);
  });

  it('resolves each step’s timeout: the step’s own, else its scenario’s, else the robot’s default', async () => {
    const lost = label('Champ disparu');
    const failing = (timeouts: { step?: number; scenario?: number }, id: string) =>
      defineScenario<Row>({
        id, title: 'Mini', version: '1.0.0', scope: 'local', owner: 'tests', applications: [mini],
        input: input as unknown as z.ZodType<Row, Record<string, string | undefined>>, key: ['nom'], personal: ['nom'], manualMinutes: 1,
        ...(timeouts.scenario ? { timeoutMs: timeouts.scenario } : {}),
        steps: [
          steps.open('form'),
          steps.guard(css('#never'), css('#never')),
          steps.fill(lost, 'x', timeouts.step ? { timeoutMs: timeouts.step } : {}),
          steps.submit('form.valider', { success: 'done.reference', reference: 'done.reference', refusal: 'form.refus' }),
        ],
      });
    const quick = await Robot.launch({ applications: { mini: { baseUrl: app.url, username: 'robot', password: 'secret' } }, defaultTimeoutMs: 400 });
    try {
      const messageOf = (s: ReturnType<typeof failing>) => quick.run(s, row, { dossierId: s.id }).then(() => 'done', (e: unknown) => (e as Error).message);
      expect(await messageOf(failing({ step: 250, scenario: 600 }, 'timeout-step'))).toMatch(/^timeout-step step 3 \(fill label "Champ disparu"\): nothing matched on screen within 250 ms/);
      expect(await messageOf(failing({ scenario: 600 }, 'timeout-scenario'))).toMatch(/within 600 ms/);
      expect(await messageOf(failing({}, 'timeout-default'))).toMatch(/within 400 ms/);
    } finally {
      await quick.close();
    }
    expect(app.submissions).toEqual([]);
  });
});
