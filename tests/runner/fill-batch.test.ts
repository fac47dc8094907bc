import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Robot, type StepEvent } from '../../runner/index.ts';
import { button, css, defineApplication, defineScenario, label, link, optional, typed, type Steps } from '../../scenarios/dsl/index.ts';

/**
 * A form whose script records, in a hidden field sent with it, every input, change, blur and
 * key event its fields receive; `?variant=` adds what batching must not get wrong: a script
 * that rewrites a value, a field that appears late, two fields with one label.
 */
const formPage = (variant: string) => `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Batch</title></head><body>
<a href="/b/logout">Sortir</a>
<form method="post" action="/b/form">
<label for="nom">Nom</label><input id="nom" name="nom">
${variant === 'twice' ? '<label for="nom2">Nom</label><input id="nom2" name="nom2">' : ''}
<label>Prénom <input id="prenom" name="prenom"></label>
<span id="ville-l">Ville</span><input id="ville" name="ville" aria-labelledby="ville-l">
<input id="code" name="code" aria-label="Code postal">
<label for="montant">Montant</label><input id="montant" name="montant">
<label for="debut">Début</label><input id="debut" name="debut" type="date">
<label for="fin">Fin</label><input id="fin" name="fin">
<label for="motif">Motif</label><select id="motif" name="motif"><option value=""></option><option value="GARDE">Garde d'enfant</option><option value="AUTRE">Autre</option></select>
<input type="checkbox" id="sub" name="sub" value="O"><label for="sub">Subrogation</label>
<input type="radio" id="covid" name="nature" value="COVID"><label for="covid">COVID</label>
<textarea id="note" name="note"></textarea>
<label for="saisie">Saisie</label><input id="saisie" name="saisie">
<span id="late"></span>
<input type="hidden" id="events" name="events">
<button>Valider</button></form>
<script>
const seen = [];
const watch = (el) => ['input', 'change', 'blur', 'keydown'].forEach((type) => el.addEventListener(type, () => seen.push(el.id + ':' + type)));
document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(watch);
document.querySelector('form').addEventListener('submit', () => { document.getElementById('events').value = seen.join(','); });
${variant === 'rewrite' ? `document.getElementById('montant').addEventListener('change', (e) => { if (!e.target.value.endsWith(' €')) e.target.value += ' €'; });` : ''}
${variant === 'late' ? `setTimeout(() => { document.getElementById('late').innerHTML = '<label for="ref">Référence</label><input id="ref" name="ref">'; }, 300);` : ''}
</script></body></html>`;

interface BatchApp {
  url: string;
  submissions: Record<string, string>[];
  close(): Promise<void>;
}

async function startBatchApp(): Promise<BatchApp> {
  const submissions: Record<string, string>[] = [];
  const app = new Hono();
  app.get('/b/login', (c) => c.html(`<!DOCTYPE html><html><body><form id="login" method="post"><label for="u">Identifiant</label><input id="u" name="u"><button>Entrer</button></form></body></html>`));
  app.post('/b/login', (c) => {
    setCookie(c, 'B', 'ok', { path: '/b' });
    return c.redirect('/b/form', 303);
  });
  app.use('/b/*', async (c, next) => (c.req.path === '/b/login' || getCookie(c, 'B') === 'ok' ? next() : c.redirect('/b/login', 302)));
  app.get('/b/form', (c) => c.html(formPage(c.req.query('variant') ?? '')));
  app.post('/b/form', async (c) => {
    submissions.push(Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)])));
    return c.redirect(`/b/done?ref=B-${submissions.length}`, 303);
  });
  app.get('/b/done', (c) => c.html(`<!DOCTYPE html><html><body><a href="/b/logout">Sortir</a><p id="ref">${c.req.query('ref')}</p></body></html>`));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    submissions,
    close: () => new Promise<void>((resolve) => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

const batchApp = defineApplication({
  id: 'batch',
  title: 'Batch',
  loginPath: '/b/login',
  loginSteps: (s) => s.fill(label('Identifiant'), 'robot').click(button('Entrer')),
  loginPage: css('#login'),
  loggedIn: link('Sortir'),
  screens: {
    form: {
      path: '/b/form?variant={variant}',
      elements: {
        nom: label('Nom'), prenom: label('Prénom'), ville: label('Ville'), code: label('code postal', false), montant: label('Montant'),
        debut: label('Début'), fin: label('Fin'), motif: label('Motif'), subrogation: label('Subrogation'), covid: label('COVID'),
        note: css('#note'), saisie: typed(label('Saisie')), ref: label('Référence'), valider: button('Valider'), refus: optional(css('.refus')),
        never: optional(css('#never')), disparu: label('Champ disparu'),
      },
    },
    done: { elements: { reference: css('#ref') } },
  },
});

const input = z.object({ variant: z.string() });
type Row = z.output<typeof input>;
type Chain = Steps<Row, (typeof batchApp)['screens'], {}>;

const scenario = (id: string, body: (s: Chain) => Chain) =>
  defineScenario({
    id, title: 'Batch', version: '1.0.0', scope: 'local', owner: 'tests', applications: [batchApp], input, key: ['variant'], personal: [], manualMinutes: 1, timeoutMs: 2_000,
    steps: (s) => body(s.open('form', { variant: (row) => row.variant }).guard('form.never', 'form.never'))
      .submit('form.valider', { success: 'done.reference', refusal: 'form.refus' }),
  });

/** Every kind of field, found every way a label finds one, and CSS. */
const everyField = (s: Chain) => s
  .fill('form.nom', 'DURAND')
  .fill('form.prenom', 'Claire')
  .fill('form.ville', 'Lille')
  .fill('form.code', '59000')
  .fill('form.montant', '12,50')
  .date('form.debut', '2020-04-01')
  .date('form.fin', '2020-04-15')
  .select('form.motif', "Garde d'enfant")
  .check('form.subrogation')
  .check('form.covid')
  .fill('form.note', 'Acompte');

let app: BatchApp;
let robot: Robot;
beforeAll(async () => {
  app = await startBatchApp();
  robot = await Robot.launch({ applications: { batch: { baseUrl: app.url, username: 'robot', password: 'x' } } });
});
afterAll(async () => {
  await robot?.close();
  await app?.close();
});
beforeEach(() => {
  app.submissions.length = 0;
});

const run = async (s: ReturnType<typeof scenario>, variant = '') => {
  const events: StepEvent[] = [];
  const outcome = await robot.run(s, { variant }, { dossierId: `${s.id}-${variant}`, onStep: (e) => events.push(e) });
  return { outcome, events };
};

/** Which steps ran in which batch: `3-13` for a batch from step 3, `-` for a step on its own. */
const batches = (events: StepEvent[]) => events.map((e) => `${e.at.stepIndex}:${e.batch ? e.batch.first : '-'}`);

describe('consecutive form steps, applied in one round-trip', () => {
  it('sets every field in one evaluate, as the steps one by one would, with the events the page listens to', async () => {
    const { outcome, events } = await run(scenario('batch-all', everyField));
    expect(outcome).toMatchObject({ status: 'done', reference: 'B-1' });
    const { events: seen, ...sent } = app.submissions[0]!;
    expect(sent).toEqual({
      nom: 'DURAND', prenom: 'Claire', ville: 'Lille', code: '59000', montant: '12,50', debut: '2020-04-01', fin: '15/04/2020',
      motif: 'GARDE', sub: 'O', nature: 'COVID', note: 'Acompte', saisie: '',
    });
    // One event per step, each still named, all of the batch from step 3 on; one round-trip for all eleven.
    expect(batches(events)).toEqual(['1:-', '2:-', ...Array.from({ length: 11 }, (_, i) => `${i + 3}:3`), '14:-']);
    expect(events.filter((e) => e.batch).map((e) => e.roundTrips)).toEqual([1, ...Array(10).fill(0)]);
    expect(events.map((e) => e.at.step).slice(2, 5)).toEqual(['fill', 'fill', 'fill']);
    expect(events[2]!.at.target).toBe('form.nom [label "Nom"]');
    for (const id of ['nom', 'prenom', 'ville', 'code', 'montant', 'debut', 'fin', 'motif', 'note']) {
      expect(seen!.split(',').filter((e) => e.startsWith(`${id}:`))).toEqual([`${id}:input`, `${id}:change`, `${id}:blur`]);
    }
    // A click ticks a box: the browser's own click, input and change.
    expect(seen!.split(',')).toEqual(expect.arrayContaining(['sub:input', 'sub:change', 'covid:input', 'covid:change']));
  });

  it('types a typed field key by key, on its own between two batches', async () => {
    const { events } = await run(scenario('batch-typed', (s) => s.fill('form.nom', 'A').fill('form.prenom', 'B').fill('form.saisie', '0412').fill('form.ville', 'C').fill('form.note', 'D')));
    expect(batches(events)).toEqual(['1:-', '2:-', '3:3', '4:3', '5:-', '6:6', '7:6', '8:-']);
    expect(app.submissions[0]).toMatchObject({ nom: 'A', prenom: 'B', saisie: '0412', ville: 'C', note: 'D' });
    // Real keys (a value set at once has none): one per character, and the clearing before.
    expect(app.submissions[0]!.events!.split(',').filter((e) => e === 'saisie:keydown').length).toBeGreaterThanOrEqual(4);
  });

  it('runs the steps one by one when a page script rewrote a value, and from then on leaves that step to itself', async () => {
    const s = scenario('batch-rewrite', (s) => s.fill('form.nom', 'A').fill('form.montant', '12,50').fill('form.ville', 'C').fill('form.note', 'D').fill('form.prenom', 'E'));
    const first = await run(s, 'rewrite');
    expect(first.outcome).toMatchObject({ status: 'done' });
    expect(batches(first.events)).toEqual(['1:-', '2:-', '3:-', '4:-', '5:-', '6:-', '7:-', '8:-']);
    // What the page made of the value, as the steps one by one leave it.
    expect(app.submissions[0]).toMatchObject({ nom: 'A', montant: '12,50 €', ville: 'C', note: 'D', prenom: 'E' });
    const second = await run(s, 'rewrite');
    expect(batches(second.events)).toEqual(['1:-', '2:-', '3:-', '4:-', '5:5', '6:5', '7:5', '8:-']);
    expect(app.submissions[1]).toMatchObject({ nom: 'A', montant: '12,50 €', ville: 'C', note: 'D', prenom: 'E' });
  });

  it('leaves a field that is not there yet to its step, which waits for it', async () => {
    const { outcome, events } = await run(scenario('batch-late', (s) => s.fill('form.nom', 'A').fill('form.ville', 'C').fill('form.ref', 'R-1').fill('form.note', 'D')), 'late');
    expect(outcome).toMatchObject({ status: 'done' });
    expect(batches(events)).toEqual(['1:-', '2:-', '3:3', '4:3', '5:-', '6:-', '7:-']);
    expect(app.submissions[0]).toMatchObject({ nom: 'A', ville: 'C', ref: 'R-1', note: 'D' });
  });

  it('sends nothing when a label names two fields: the step on its own fails as it always did', async () => {
    const events: StepEvent[] = [];
    const s = scenario('batch-twice', (s) => s.fill('form.ville', 'C').fill('form.nom', 'A'));
    const error = await robot.run(s, { variant: 'twice' }, { dossierId: 'twice', onStep: (e) => events.push(e) }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/strict mode violation/);
    expect(events.map((e) => `${e.at.stepIndex} ${e.outcome}${e.batch ? ' batched' : ''}`)).toEqual(['1 ok', '2 ok', '3 ok', '4 failed']);
    expect(app.submissions).toEqual([]);
  });

  it('names the step and the element when a field is gone, as a step does', async () => {
    const error = await run(scenario('batch-gone', (s) => s.fill('form.nom', 'A').fill('form.disparu', 'x').fill('form.note', 'D'))).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^batch-gone step 4 \(fill form\.disparu \[label "Champ disparu"\]\): nothing matched on screen within 2000 ms/);
    expect(app.submissions).toEqual([]);
  });
});
