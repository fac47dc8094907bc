import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AddressInfo } from 'node:net';

/**
 * A tiny application with every kind of input the scenario language handles, to
 * test each step on its own: a login, a form, a form whose fields have input masks
 * (`/mini/montant`), a table of rows with links.
 */
export interface MiniApp {
  url: string;
  submissions: Record<string, string>[];
  detached: string[];
  close(): Promise<void>;
}

/**
 * A legacy input mask, as old screens had them: it keeps the digits of the keys pressed and
 * draws the field from them (`montant`: cents, "1 234,56"; `date`: "jj/mm/aaaa"); other keys
 * are swallowed. A value set without keystrokes (Playwright's fill, a script) never reaches
 * its buffer, and leaving the field or submitting redraws it from the buffer.
 */
const MASK_SCRIPT = `(function () {
  var champs = document.querySelectorAll('input[data-masque]');
  var redessins = [];
  for (var i = 0; i < champs.length; i++) (function (champ) {
    var date = champ.getAttribute('data-masque') === 'date';
    var tampon = '';
    function dessine() {
      if (date) return tampon.slice(0, 2) + (tampon.length >= 2 ? '/' + tampon.slice(2, 4) : '') + (tampon.length >= 4 ? '/' + tampon.slice(4, 8) : '');
      if (tampon === '') return '';
      var cents = tampon.replace(/^0+(?=\\d)/, '');
      while (cents.length < 3) cents = '0' + cents;
      var euros = cents.slice(0, -2).replace(/\\B(?=(\\d{3})+$)/g, ' ');
      return euros + ',' + cents.slice(-2);
    }
    champ.addEventListener('keydown', function (e) {
      var k = e.key || '';
      if (k === 'Tab' || k === 'Enter' || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      if (k === 'Backspace' || k === 'Delete') tampon = champ.selectionStart === 0 && champ.selectionEnd === champ.value.length ? '' : tampon.slice(0, -1);
      else if (/^[0-9]$/.test(k) && tampon.length < (date ? 8 : 10)) tampon += k;
      champ.value = dessine();
    });
    var redessine = function () { champ.value = dessine(); };
    champ.addEventListener('blur', redessine);
    redessins.push(redessine);
  })(champs[i]);
  document.forms[0].addEventListener('submit', function () { for (var j = 0; j < redessins.length; j++) redessins[j](); });
})();`;

const page = (body: string) => `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Mini</title></head><body>${body}</body></html>`;

export async function startMiniApp(): Promise<MiniApp> {
  const submissions: Record<string, string>[] = [];
  const detached: string[] = [];
  const app = new Hono();
  app.get('/mini/login', (c) => c.html(page(`<form id="login" method="post"><label for="u">Identifiant</label><input id="u" name="u"><label for="p">Mot de passe</label><input id="p" name="p" type="password"><button>Entrer</button></form>`)));
  app.post('/mini/login', async (c) => {
    setCookie(c, 'MINI', 'ok', { path: '/mini' });
    return c.redirect('/mini/home', 303);
  });
  app.use('/mini/*', async (c, next) => {
    if (c.req.path === '/mini/login' || getCookie(c, 'MINI') === 'ok') return next();
    return c.redirect('/mini/login', 302);
  });
  app.get('/mini/home', (c) => c.html(page('<a href="/mini/logout">Sortir</a><p id="amount">Montant dû : 1 234,56 €</p>')));
  app.get('/mini/form', (c) =>
    c.html(page(`<a href="/mini/logout">Sortir</a><form method="post" action="/mini/form">
<label for="nom">Nom</label><input id="nom" name="nom">
<label for="debut">Date de début</label><input id="debut" name="debut" type="date">
<label for="fin">Date de fin</label><input id="fin" name="fin">
<fieldset><legend>Nature</legend><input type="radio" id="covid" name="nature" value="COVID"><label for="covid">COVID</label>
<input type="radio" id="hors" name="nature" value="HORS"><label for="hors">Hors COVID</label></fieldset>
<input type="checkbox" id="sub" name="sub" value="O"><label for="sub">Subrogation</label>
<label for="motif">Motif</label><select id="motif" name="motif"><option value=""></option><option value="GARDE">Garde d'enfant</option></select>
<button>Valider</button></form>`)),
  );
  app.post('/mini/form', async (c) => {
    const body = Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)]));
    submissions.push(body);
    return c.redirect(`/mini/done?ref=MINI-${submissions.length}`, 303);
  });
  // A legacy screen whose fields have input masks: only keys pressed reach the server.
  const maskedForm = (error = '') =>
    page(`<a href="/mini/logout">Sortir</a>${error ? `<p class="refus">${error}</p>` : ''}<form method="post" action="/mini/montant">
<label for="montant">Montant (€)</label><input id="montant" name="montant" data-masque="montant">
<label for="paye-le">Payé le</label><input id="paye-le" name="payeLe" data-masque="date" maxlength="10">
<button>Valider</button></form><script>${MASK_SCRIPT}</script>`);
  app.get('/mini/montant', (c) => c.html(maskedForm()));
  app.post('/mini/montant', async (c) => {
    const body = Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)]));
    if (!/^\d{1,3}( \d{3})*,\d{2}$/.test(body.montant ?? '')) return c.html(maskedForm(body.montant ? 'Montant invalide.' : 'Montant obligatoire.'));
    if (!/^\d{2}\/\d{2}\/\d{4}$/.test(body.payeLe ?? '')) return c.html(maskedForm(body.payeLe ? 'Date de paiement invalide.' : 'Date de paiement obligatoire.'));
    submissions.push(body);
    return c.redirect(`/mini/done?ref=MINI-${submissions.length}`, 303);
  });
  app.get('/mini/done', (c) => c.html(page(`<a href="/mini/logout">Sortir</a><p>Référence : <strong id="ref">${c.req.query('ref')}</strong></p>`)));
  app.get('/mini/table', (c) =>
    c.html(page(`<a href="/mini/logout">Sortir</a><table id="ad"><thead><tr><th>Rang</th><th>Nom</th><th>Statut</th></tr></thead><tbody>
${[['1', 'ANNE', 'Rattaché'], ['2', 'BRUNO', 'Détaché'], ['3', 'CLAIRE', 'Rattaché'], ['4', `D'ARC "JEANNE" \\ LA`, 'Rattaché']]
  .map(([r, n, s]) => `<tr data-rang="${r}" data-nom="${n!.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"><td>${r}</td><td>${n}</td><td>${detached.includes(r!) ? 'Détaché' : s}</td><td><a href="/mini/detach?rang=${r}" id="detach-${r}">Détacher</a></td></tr>`)
  .join('')}</tbody></table>`)),
  );
  app.get('/mini/detach', (c) => {
    detached.push(c.req.query('rang') ?? '');
    return c.redirect('/mini/table', 303);
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    submissions,
    detached,
    close: () => new Promise<void>((resolve) => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
