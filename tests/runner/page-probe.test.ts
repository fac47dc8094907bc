import { describe, expect, it } from 'vitest';
import { locate } from '../../runner/locate.ts';
import { probeQueryOf, probeTargets } from '../../runner/page-probe.ts';
import { button, css, label, link, role, type Target } from '../../scenarios/dsl/index.ts';
import { pageWith } from '../support/page.ts';

/** Messages and records as legacy screens show them, hidden in every way a page hides things. */
const PAGE = `<!DOCTYPE html><html lang="fr"><body>
<p class="message" style="display: none">Caché</p><p class="message">  Refus :
  montant   trop élevé </p>
<p id="vide"></p>
<p id="invisible" style="visibility: hidden">Invisible</p>
<div style="display: none"><p id="dans-cache">Dans un bloc caché</p></div>
<div role="alert" aria-hidden="true">Alerte cachée aux lecteurs</div>
<div role="alert" style="display: none">Alerte non affichée</div>
<div role="alert">Aucun professionnel ne correspond</div>
<table id="paiements"><tr data-periode="P1"><td class="reference">PRG-1</td></tr></table>
<form><label for="m">Montant</label><input id="m"><button>Valider</button>
<button>  Valider <b>le
  paiement</b> </button><input type="submit" value="Envoyer"><button aria-label="Fermer la fiche">X</button>
<button style="display: none">Envoyer</button><a href="/suite">Page suivante</a><a>Page suivante sans lien</a></form>
</body></html>`;

const chromium = pageWith(PAGE);

/** What Playwright's locator says of a target: the yardstick. */
async function viaLocator(target: Target) {
  const found = locate(chromium.page, target);
  const count = await found.count();
  return { count, visible: await found.first().isVisible(), text: count > 0 ? await found.first().textContent() : null };
}

describe('reading targets in the page’s own world', () => {
  const agreed: [string, Target][] = [
    ['a message whose first match is hidden', css('.message')],
    ['an empty element', css('#vide')],
    ['an element with visibility: hidden', css('#invisible')],
    ['an element inside a hidden block', css('#dans-cache')],
    ['a guard row that is there', css('#paiements tr[data-periode="P1"] .reference')],
    ['a guard row that is not', css('#paiements tr[data-periode="P2"]')],
    ['alerts, the first two hidden from assistive technologies or not shown', role('alert')],
    ['a button named by its text, bold part and line breaks included', button('Valider le paiement')],
    ['a button among others whose names start alike', button('Valider')],
    ['a submit input by its value, a hidden button of the same name left out', button('Envoyer')],
    ['a button named by aria-label', button('Fermer la fiche')],
    ['a link (an anchor without href is none)', link('Page suivante')],
    ['a name not exact', { by: 'role', role: 'link', name: 'page SUIVANTE', exact: false }],
    ['a name nothing has', button('Annuler')],
  ];

  it.each(agreed)('says what the locator says of %s', async (_, target) => {
    const [probed] = await probeTargets(chromium.page, [probeQueryOf(target)]);
    expect(probed).toEqual(await viaLocator(target));
  });

  it('answers every target in one call, in order', async () => {
    const answers = await probeTargets(chromium.page, agreed.map(([, t]) => probeQueryOf(t)));
    expect(answers).toEqual(await Promise.all(agreed.map(([, t]) => viaLocator(t))));
  });

  it.each([
    ['a label', label('Montant')],
    ['a button by its role alone', role('button')],
    ['an alert with a name', role('alert', 'Aucun professionnel ne correspond')],
  ])('leaves %s to the locator', (_, target) => {
    expect(probeQueryOf(target)).toBeUndefined();
  });

  it.each([
    ['a link named by an image', link('Aide')],
    ['a button named by another element', button('Quitter')],
  ])('leaves a page with %s to the locator when asked for any name', async (_, target) => {
    const named = await chromium.browser.newPage();
    try {
      await named.setContent('<a href="/aide"><img src="aide.png" alt="Aide"></a><span id="quitter-l">Quitter</span><button aria-labelledby="quitter-l">Q</button><button>Valider</button>');
      // Any of them could bear the name asked for: the page cannot tell how many match.
      expect(await probeTargets(named, [probeQueryOf(target), probeQueryOf(button('Valider'))])).toEqual([undefined, undefined]);
      expect(await locate(named, target).count()).toBe(1);
    } finally {
      await named.close();
    }
  });

  it('leaves a page to the locator when part of a name is `visibility: hidden`, which the name leaves out', async () => {
    const hidden = await chromium.browser.newPage();
    try {
      await hidden.setContent('<button>Valider <b style="visibility: hidden">le paiement</b></button>');
      // Its text says "Valider le paiement", its name "Valider".
      expect(await probeTargets(hidden, [probeQueryOf(button('Valider le paiement'))])).toEqual([undefined]);
      expect(await locate(hidden, button('Valider le paiement')).count()).toBe(0);
    } finally {
      await hidden.close();
    }
  });

  it("leaves Playwright's own selector syntax to the locator", async () => {
    const answers = await probeTargets(chromium.page, [probeQueryOf(css('.message:has-text("Refus")')), probeQueryOf(css('#vide'))]);
    expect(answers).toEqual([undefined, { count: 1, visible: false, text: '' }]);
  });

  it('leaves a page with shadow roots to the locator, which looks inside them', async () => {
    const shadowed = await chromium.browser.newPage();
    try {
      await shadowed.setContent('<div id="hote"></div><script>document.getElementById("hote").attachShadow({ mode: "open" }).innerHTML = "<p class=\\"message\\">Refus</p>";</script>');
      expect(await probeTargets(shadowed, [probeQueryOf(css('.message'))])).toEqual([undefined]);
      expect(await shadowed.locator('.message').isVisible()).toBe(true);
    } finally {
      await shadowed.close();
    }
  });
});
