import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { camelName, pathWithPlaceholders, screenMapEntry, screenNameOf } from '../../cli/screen-map-from-aria.ts';
import { silentLogger } from '../../core/logger.ts';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { readScreen } from '../../runner/aria-map.ts';
import { launchBrowser } from '../../runner/browser.ts';
import { locate } from '../../runner/locate.ts';
import { Slot } from '../../runner/slot.ts';
import { progres } from '../../scenarios/applications/progres.ts';
import { button, css, label, link, role, type ScreenDefinition } from '../../scenarios/dsl/index.ts';
import { runCli } from '../support/cli.ts';

let backOffice: BackOffice;
let browser: Browser;
let ps: string;

beforeAll(async () => {
  backOffice = await startBackOffice({ port: 0 });
  browser = (await launchBrowser()).browser;
  ps = [...backOffice.state.professionals.values()].find((p) => p.conventioned)!.ps;
});
afterAll(async () => {
  await browser?.close();
  await backOffice?.close();
});

const endpoint = () => ({ baseUrl: backOffice.url, ...DEFAULT_USER });

/** The printed entry, evaluated with the DSL's own helpers as it would be once pasted. */
function evaluateEntry(entry: string): Record<string, ScreenDefinition> {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('label', 'button', 'link', 'role', 'css', `return {\n${entry}\n};`)(label, button, link, role, css) as Record<string, ScreenDefinition>;
}

/** How many elements each target of the screen finds on `path`, logged in as the robot. */
async function countsOn(path: string, screen: ScreenDefinition): Promise<Record<string, number>> {
  const slot = new Slot(0, browser, silentLogger);
  try {
    await slot.login(progres, endpoint(), 10_000);
    const page = await slot.page();
    await page.goto(backOffice.url + path);
    const counts: Record<string, number> = {};
    for (const [name, target] of Object.entries(screen.elements)) counts[name] = await locate(page, target).count();
    return counts;
  } finally {
    await slot.recycle();
  }
}

describe('proweb map', () => {
  it("prints the payment form's entry: each field by its label, the button and the link by their names, the path's value a placeholder", async () => {
    const run = await runCli(['map', 'progres', `/progres/paiement/nouveau?ps=${ps}`, '--backoffice', '--name', 'paiement']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const entry = evaluateEntry(run.stdout);
    expect(entry.paiement).toEqual({
      path: '/progres/paiement/nouveau?ps={ps}',
      elements: {
        numeroPs: label('Numéro PS'),
        dispositif: label('Dispositif'),
        montant: label('Montant (€)'),
        modeDeReglement: label('Mode de règlement'),
        iban: label('IBAN'),
        referenceBeneficiaire: label('Référence bénéficiaire'),
        motif: label('Motif'),
        validerLePaiement: button('Valider le paiement'),
        retourALaRechercheDuProfessionnel: link('Retour à la recherche du professionnel'),
      },
    });
    // The PS number of the address is personal: the entry names its parameter only.
    expect(run.stdout).not.toContain(ps);
    expect(run.leftovers).toEqual([]);
  });

  it("reads a record's screen as the hand-written map has it: its tables by id, an alert without its words, and every target finds one element", async () => {
    const record = await readScreen(progres, endpoint(), `/progres/ps?numero=${ps}`, { browser });
    const recordEntry = evaluateEntry(screenMapEntry(record, 'progres', 'fichePs')).fichePs!;
    expect(recordEntry.path).toBe('/progres/ps?numero={numero}');
    // The same targets as scenarios/applications/progres.ts (which adds optional and personal).
    const written = progres.screens!.fichePs!.elements;
    const bare = (t: object) => Object.fromEntries(Object.entries(t).filter(([k]) => !['optional', 'personal'].includes(k)));
    expect(Object.values(recordEntry.elements)).toEqual([written.numero, written.rechercher, written.fiche, written.paiements, written.saisirPaiement].map((t) => bare(t!)));
    expect(Object.values(await countsOn(`/progres/ps?numero=${ps}`, recordEntry))).toEqual([1, 1, 1, 1, 1]);

    // A number that is not a PS: the screen shows its alert, whose text may quote personal data.
    const refused = await readScreen(progres, endpoint(), '/progres/ps?numero=123456789', { browser });
    const text = screenMapEntry(refused, 'progres');
    expect(evaluateEntry(text).ps!.elements.erreur).toEqual(role('alert'));
    expect(text).not.toContain('9 chiffres');
    expect(text).not.toContain('123456789');
  });

  it('names elements and screens in camelCase from what a person reads', () => {
    expect(camelName('Mode de règlement')).toBe('modeDeReglement');
    expect(camelName('Montant (€)')).toBe('montant');
    expect(camelName("Date de début de l'arrêt")).toBe('dateDeDebutDeLArret');
    expect(camelName('2e adresse')).toBe('champ2eAdresse');
    expect(screenNameOf('/progres/paiement/nouveau?ps=1', 'progres')).toBe('paiementNouveau');
    expect(screenNameOf('/grh/', 'grh')).toBe('accueil');
    expect(pathWithPlaceholders('/bdo/assure?nir=1850375123456&onglet=droits')).toBe('/bdo/assure?nir={nir}&onglet={onglet}');
  });

  it('refuses an application no scenario declares, and a screen that sends back to the login page', async () => {
    const unknown = await runCli(['map', 'inconnue', '/x', '--backoffice']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown application "inconnue"');
    // Another application's screen: its own login page comes back, not a screen of Progrès.
    await expect(readScreen(progres, endpoint(), '/grh/accueil', { browser })).rejects.toThrow(/progres showed its login page for \/grh\/accueil/);
  });
});
