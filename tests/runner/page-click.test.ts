import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { errors, type Browser, type Page } from 'playwright';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../runner/index.ts';
import { clickableInPage, clickInPage, clickTarget } from '../../runner/page-click.ts';
import { button, css, link, pointer } from '../../scenarios/dsl/index.ts';

/**
 * One page with what a click meets on legacy screens: a form posted by its button, a link, a
 * form whose script refuses to submit, a list that listens to `mousedown`, and buttons that a
 * person could not press (covered, disabled, hidden, opening another window). The page writes
 * every event it receives into `window.seen`.
 */
const PAGE = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Clics</title>
<style>#voile { position: fixed; inset: 0; background: rgba(0,0,0,.3); display: none } body.voile #voile { display: block }</style></head><body>
<form id="paiement" method="post" action="/c/poste"><label for="montant">Montant</label><input id="montant" name="montant" value="12,50">
<button id="valider">Valider <b>le paiement</b></button></form>
<form id="refuse" method="post" action="/c/poste"><button id="refuser">Contrôler</button></form>
<a id="suite" href="/c/suite">Page suivante</a>
<ul id="liste"><li id="choix" role="option">66461653900055 — Boulangerie</li></ul><input id="employeur">
<button id="inactif" disabled>Inactif</button>
<button id="cache" style="display: none">Caché</button>
<a id="ailleurs" href="/c/suite" target="_blank">Ailleurs</a>
<div style="height: 3000px"></div><button id="bas" type="button">Tout en bas</button>
<div id="voile"></div>
<script>
window.seen = [];
for (const type of ['pointerover', 'mouseover', 'pointermove', 'mousemove', 'pointerdown', 'mousedown', 'focus', 'pointerup', 'mouseup', 'click', 'submit'])
  // The browser's own hover events (its pointer rests at 0,0) are not the click's.
  document.addEventListener(type, (e) => (e.isTrusted && /over|move/.test(type)) || seen.push(type + ':' + (e.target.id || e.target.nodeName) + (type === 'click' ? ':' + e.isTrusted : '')), true);
document.getElementById('refuse').addEventListener('submit', (e) => e.preventDefault());
document.getElementById('choix').addEventListener('mousedown', () => { document.getElementById('employeur').value = '66461653900055'; });
</script></body></html>`;

interface ClickApp {
  url: string;
  posts: Record<string, string>[];
  close(): Promise<void>;
}

async function startClickApp(): Promise<ClickApp> {
  const posts: Record<string, string>[] = [];
  const app = new Hono();
  app.get('/c/page', (c) => c.html(PAGE));
  app.post('/c/poste', async (c) => {
    posts.push(Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)])));
    return c.redirect('/c/confirmation', 303);
  });
  app.get('/c/confirmation', (c) => c.html('<!DOCTYPE html><html><body><p id="reference">REF-1</p></body></html>'));
  app.get('/c/suite', (c) => c.html('<!DOCTYPE html><html><body><h1 id="suite-titre">Suite</h1></body></html>'));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let app: ClickApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startClickApp();
  ({ browser } = await launchBrowser());
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});
beforeEach(async () => {
  app.posts.length = 0;
  page = await browser.newPage();
  await page.goto(`${app.url}/c/page`);
});
afterEach(async () => {
  await page.close();
});

const seen = () => page.evaluate(() => (globalThis as unknown as { seen: string[] }).seen);

describe('a click made from inside the page', () => {
  it('presses a submit button as a mouse does, posts the form once and resolves on the answer, parsed', async () => {
    const result = await clickInPage(page, page.getByRole('button', { name: 'Valider le paiement', exact: true }), 10_000);

    expect(result).toEqual({ clicked: true, navigates: true });
    // Resolved once the answer's document is there: no wait needed to read it.
    expect(new URL(page.url()).pathname).toBe('/c/confirmation');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { getElementById(id: string): { textContent: string } | null } }).document.getElementById('reference')?.textContent)).toBe('REF-1');
    expect(app.posts).toEqual([{ montant: '12,50' }]);
  });

  it('sends over, move, down (moving the focus), up and click to the element on top at its centre', async () => {
    await page.evaluate(() => {
      // Stay on the page to read what it received.
      (globalThis as unknown as { document: { getElementById(id: string): { addEventListener(t: string, f: (e: { preventDefault(): void }) => void): void } } }).document
        .getElementById('paiement')
        .addEventListener('submit', (e) => e.preventDefault());
    });
    await clickInPage(page, page.locator('#valider'), 10_000);

    // The centre of "Valider le paiement" is its <b>: the mouse events go there, the focus to the button.
    expect(await seen()).toEqual(['pointerover:B', 'mouseover:B', 'pointermove:B', 'mousemove:B', 'pointerdown:B', 'mousedown:B', 'focus:valider', 'pointerup:B', 'mouseup:B', 'click:B:false', 'submit:paiement']);
  });

  it('follows a link and resolves on the next page', async () => {
    expect(await clickInPage(page, page.getByRole('link', { name: 'Page suivante' }), 10_000)).toEqual({ clicked: true, navigates: true });
    expect(new URL(page.url()).pathname).toBe('/c/suite');
    expect(await page.locator('#suite-titre').textContent()).toBe('Suite');
  });

  it('does not wait for a page when the form script refuses to submit', async () => {
    expect(await clickInPage(page, page.locator('#refuser'), 60_000)).toEqual({ clicked: true, navigates: false });
    expect(app.posts).toEqual([]);
    expect(await seen()).toContain('submit:refuse');
  });

  it('reaches a list that listens to mousedown, as autocompletes do', async () => {
    await clickInPage(page, page.locator('#choix'), 10_000);
    expect(await page.inputValue('#employeur')).toBe('66461653900055');
  });

  it('scrolls an element below the fold into view first', async () => {
    expect(await clickInPage(page, page.locator('#bas'), 10_000)).toEqual({ clicked: true, navigates: false });
    expect(await seen()).toContain('click:bas:false');
  });

  it.each([
    ['covered by another element', '#valider', true],
    ['disabled', '#inactif', false],
    ['not shown', '#cache', false],
    ['opens another window', '#ailleurs', false],
  ])('does nothing to an element %s, and says so', async (why, selector, veil) => {
    if (veil) await page.evaluate(() => (globalThis as unknown as { document: { body: { classList: { add(c: string): void } } } }).document.body.classList.add('voile'));
    expect(await clickInPage(page, page.locator(selector), 10_000)).toEqual({ clicked: false, why });
    expect(await clickableInPage(page, page.locator(selector), 10_000)).toBe(false);
    expect(await seen()).toEqual([]);
    expect(app.posts).toEqual([]);
  });
});

describe('clicking a target as a step does', () => {
  it('clicks from inside the page unless the screen map asks for a real mouse', async () => {
    await clickTarget(page, page.locator('#bas'), css('#bas'), 10_000);
    await clickTarget(page, page.locator('#bas'), pointer(css('#bas')), 10_000);
    expect((await seen()).filter((e) => e.startsWith('click:'))).toEqual(['click:bas:false', 'click:bas:true']);
  });

  it("leaves what it cannot press to Playwright's click, which waits and tells", async () => {
    await page.evaluate(() => (globalThis as unknown as { document: { body: { classList: { add(c: string): void } } } }).document.body.classList.add('voile'));
    const error = await clickTarget(page, page.getByRole('button', { name: 'Valider le paiement' }), button('Valider le paiement'), 1_500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.TimeoutError);
    expect(String((error as Error).message)).toMatch(/intercepts pointer events/);
    expect(app.posts).toEqual([]);
  });

  it('finds a button by its name in the page’s own world and presses it the same way', async () => {
    await clickTarget(page, page.getByRole('button', { name: 'Valider le paiement', exact: true }), button('Valider le paiement'), 10_000);
    expect(new URL(page.url()).pathname).toBe('/c/confirmation');
    expect(app.posts).toEqual([{ montant: '12,50' }]);
  });

  it('follows a link found by its name to the next page', async () => {
    await clickTarget(page, page.getByRole('link', { name: 'Page suivante', exact: true }), link('Page suivante'), 10_000);
    expect(new URL(page.url()).pathname).toBe('/c/suite');
  });
});
