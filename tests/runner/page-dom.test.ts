import { describe, expect, it } from 'vitest';
import { DOM_IN_PAGE, withPageDom } from '../../runner/page-dom.ts';
import { pageWith } from '../support/page.ts';

/** Elements shown, hidden and disabled in the ways legacy screens do it. */
const PAGE = `<!DOCTYPE html><html lang="fr"><body>
<button id="montre">Valider</button>
<button id="aucun" style="display: none">Aucun</button>
<div style="display: none"><button id="dans-aucun">Dans un bloc caché</button></div>
<button id="invisible" style="visibility: hidden">Invisible</button>
<div style="visibility: hidden"><button id="rendu-visible" style="visibility: visible">Visible dans un bloc invisible</button></div>
<button id="vide" style="width: 0; height: 0; padding: 0; border: 0"></button>
<div style="content-visibility: hidden"><button id="saute">Sauté</button></div>
<div style="opacity: 0"><button id="transparent">Transparent</button></div>
<button id="inactif" disabled>Inactif</button>
<fieldset disabled><input id="dans-fieldset"></fieldset>
<input id="aria-inactif" aria-disabled="TRUE">
<div aria-disabled="true"><button id="sous-aria">Sous aria-disabled</button></div>
<input id="texte"><textarea id="zone"></textarea><input id="mot" type="password"><input id="date" type="date"><input id="nombre" type="number"><select id="liste"></select>
</body></html>`;

const chromium = pageWith(PAGE);

const SHOWN = withPageDom((dom, el: unknown) => dom.shown(el));
const ENABLED = withPageDom((dom, el: unknown) => dom.enabled(el));
const TEXT_FIELD = withPageDom((dom, el: unknown) => dom.textField(el));

describe("the page code's element checks", () => {
  const shown = ['#montre', '#aucun', '#dans-aucun', '#invisible', '#rendu-visible', '#vide', '#saute', '#transparent', '#inactif'];
  it.each(shown)('says %s is shown exactly when Playwright says it is visible', async (selector) => {
    const element = chromium.page.locator(selector);
    expect(await element.evaluate(SHOWN)).toBe(await element.isVisible());
  });

  it('holds every case above to what it should be, not only to Playwright', async () => {
    const answers = await Promise.all(shown.map((s) => chromium.page.locator(s).evaluate(SHOWN)));
    expect(Object.fromEntries(shown.map((s, i) => [s, answers[i]]))).toEqual({
      '#montre': true, '#aucun': false, '#dans-aucun': false, '#invisible': false, '#rendu-visible': true, '#vide': false, '#saute': false, '#transparent': true, '#inactif': true,
    });
  });

  it.each(['#montre', '#inactif', '#dans-fieldset', '#aria-inactif', '#sous-aria', '#texte'])('says %s is enabled exactly when Playwright does', async (selector) => {
    const element = chromium.page.locator(selector);
    expect(await element.evaluate(ENABLED)).toBe(await element.isEnabled());
  });

  it('takes text fields for what they are, and a date picker, a number or a list for something else', async () => {
    const fields = ['#texte', '#zone', '#mot', '#date', '#nombre', '#liste', '#montre'];
    expect(await Promise.all(fields.map((s) => chromium.page.locator(s).evaluate(TEXT_FIELD)))).toEqual([true, true, true, false, false, false, false]);
  });

  it('sees a shadow root anywhere in the document, and an element inside one as apart', async () => {
    const other = await chromium.browser.newPage();
    try {
      await other.setContent('<div id="hote"></div><p id="dehors">Dehors</p><script>document.getElementById("hote").attachShadow({ mode: "open" }).innerHTML = "<p id=\\"dedans\\">Dedans</p>";</script>');
      const APART = withPageDom((dom, el: unknown) => dom.apart(el));
      expect(await other.evaluate(`${DOM_IN_PAGE}.shadowed()`)).toBe(true);
      expect(await chromium.page.evaluate(`${DOM_IN_PAGE}.shadowed()`)).toBe(false);
      expect([await other.locator('#dehors').evaluate(APART), await other.locator('#dedans').evaluate(APART)]).toEqual([false, true]);
    } finally {
      await other.close();
    }
  });

  it('finds what a mouse reaches at a point: the element or a child of it, not what covers it', async () => {
    const other = await chromium.browser.newPage();
    try {
      await other.setContent('<div id="bloc" style="position: absolute; left: 0; top: 0; width: 100px; height: 40px"><b id="gras" style="display: block; height: 40px">OK</b></div><div id="voile" style="position: absolute; left: 50px; top: 0; width: 50px; height: 40px"></div>');
      const HIT = withPageDom((dom, el: unknown, at: number[]) => dom.hitAt(el, at[0]!, at[1]!)?.id ?? null);
      const bloc = other.locator('#bloc');
      expect([await bloc.evaluate(HIT, [25, 20]), await bloc.evaluate(HIT, [75, 20])]).toEqual(['gras', null]);
      await other.evaluate('document.getElementById("voile").remove()');
      expect(await bloc.evaluate(HIT, [75, 20])).toBe('gras');
    } finally {
      await other.close();
    }
  });
});
