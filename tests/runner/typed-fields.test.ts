/**
 * `typed(...)` fields against a page with legacy input masks (tests/support/mini-app.ts,
 * `/mini/montant`): the mask only sees keys pressed, so a field the runner fills at once
 * reaches the server empty. The same scenario, with and without `typed`, shows both sides.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Robot } from '../../runner/index.ts';
import { button, css, defineApplication, defineScenario, label, link, optional, typed } from '../../scenarios/dsl/index.ts';
import { startMiniApp, type MiniApp } from '../support/mini-app.ts';

const valider = button('Valider');
const refus = optional(css('.refus'));

/** The same masked screen mapped twice: its fields marked `typed`, and as plain fields. */
const mini = defineApplication({
  id: 'mini',
  title: 'Mini',
  loginPath: '/mini/login',
  loginSteps: (s) => s.fill(label('Identifiant'), 'robot').fill(label('Mot de passe'), 'secret').click(button('Entrer')),
  loginPage: css('#login'),
  loggedIn: link('Sortir'),
  screens: {
    masque: { path: '/mini/montant', elements: { montant: typed(label('Montant (€)')), payeLe: typed(label('Payé le')), valider, refus, never: optional(css('#never')) } },
    masqueRempli: { path: '/mini/montant', elements: { montant: label('Montant (€)'), payeLe: typed(label('Payé le')), valider, refus } },
    done: { elements: { reference: css('#ref') } },
  },
});

type Row = { montant: string; payeLe: string };
const input = z.object({ montant: z.string(), payeLe: z.string() });
const row: Row = { montant: '1 234,56', payeLe: '2020-04-06' };

const scenario = (screen: 'masque' | 'masqueRempli', id: string) =>
  defineScenario({
    id, title: 'Mini masks', version: '1.0.0', scope: 'local', owner: 'tests', applications: [mini],
    input, key: ['montant'], personal: [], manualMinutes: 1, timeoutMs: 5_000,
    steps: (s) => s
      .open(screen)
      .guard('masque.never', 'masque.never')
      .fill(`${screen}.montant`, (r) => r.montant)
      // A text field under a date mask: the runner types what a French agent types, dd/mm/yyyy.
      .date(`${screen}.payeLe`, (r) => r.payeLe)
      .submit(`${screen}.valider`, { success: 'done.reference', refusal: `${screen}.refus` }),
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
});

describe('typed fields against input masks', () => {
  it('types a typed field key by key: the mask builds the value and the page takes it', async () => {
    const outcome = await robot.run(scenario('masque', 'mini-typed'), row, { dossierId: 'typed' });
    expect(outcome).toMatchObject({ status: 'done', reference: 'MINI-1', alreadyEntered: false });
    expect(app.submissions).toEqual([{ montant: '1 234,56', payeLe: '06/04/2020' }]);
  });

  it('the mask draws the amount from the digits alone: typed "987654" is sent as 9 876,54', async () => {
    await robot.run(scenario('masque', 'mini-typed-digits'), { ...row, montant: '987654' }, { dossierId: 'digits' });
    expect(app.submissions).toEqual([{ montant: '9 876,54', payeLe: '06/04/2020' }]);
  });

  it('the same field without typed is filled at once, the mask never sees it and the page refuses the form', async () => {
    const outcome = await robot.run(scenario('masqueRempli', 'mini-filled'), row, { dossierId: 'filled' });
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'Montant obligatoire.' });
    expect(app.submissions).toEqual([]);
  });
});
