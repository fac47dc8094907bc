import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScreenChanged } from '../../core/errors.ts';
import { Scrubber, scrubText } from '../../core/personal-data.ts';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { formatNir, type BdoState } from '../../fixtures/bdo/index.ts';
import { launchBrowser, Robot } from '../../runner/index.ts';
import { EVIDENCE_MASK_COLOR, keepEvidence } from '../../runner/evidence.ts';
import { bdo as bdoApplication, searchInsured } from '../../scenarios/applications/bdo.ts';
import { autonomisationAyantsDroit, type AutonomisationRow } from '../../scenarios/autonomisation-ayants-droit.ts';
import { css, label, type Target } from '../../scenarios/dsl/index.ts';
import { deriveScenario, withElements } from '../support/derive-scenario.ts';
import { attachedAdult } from '../fixtures/bdo/helpers.ts';

let backOffice: BackOffice;
let bdo: BdoState;
let browser: Browser;
let robot: Robot;
let evidenceDir: string;

beforeAll(async () => {
  backOffice = await startBackOffice({ port: 0 });
  bdo = backOffice.apps.bdo;
  ({ browser } = await launchBrowser());
  evidenceDir = await mkdtemp(join(tmpdir(), 'proweb-evidence-'));
  robot = await Robot.launch({ applications: { bdo: { baseUrl: backOffice.url, ...DEFAULT_USER } }, evidenceDir, defaultTimeoutMs: 5_000, browser });
});
afterAll(async () => {
  await robot?.close();
  await browser?.close();
  await backOffice?.close();
});
beforeEach(() => {
  bdo.reset();
});

type Point = { x: number; y: number };
type Box = { x: number; y: number; width: number; height: number };

/** Points well inside a box (its corners, 3 px in, and its centre). */
const inside = (b: Box): Point[] => [
  { x: b.x + 3, y: b.y + 3 }, { x: b.x + b.width - 4, y: b.y + 3 }, { x: b.x + b.width / 2, y: b.y + b.height / 2 },
  { x: b.x + 3, y: b.y + b.height - 4 }, { x: b.x + b.width - 4, y: b.y + b.height - 4 },
].map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) }));

/** The colours of a PNG's pixels, read by the browser: the image drawn in a canvas. */
async function pixels(page: Page, png: Buffer, points: Point[]): Promise<[number, number, number][]> {
  return page.evaluate(async ({ data, points }) => {
    // Runs in the page: this project compiles without the DOM library.
    const doc = (globalThis as any).document;
    const img = new (globalThis as any).Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const canvas = doc.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    return points.map(({ x, y }) => Array.from(context.getImageData(x, y, 1, 1).data).slice(0, 3) as [number, number, number]);
  }, { data: png.toString('base64'), points });
}

const MASK = [0xff, 0x00, 0xff];
const isMask = ([r, g, b]: [number, number, number]) => Math.abs(r - MASK[0]!) + Math.abs(g - MASK[1]!) + Math.abs(b - MASK[2]!) <= 12;

describe('evidence of a failure', () => {
  it('keeps HTML without the row’s personal values nor any NIR, and a screenshot with the personal elements painted over', async () => {
    expect(EVIDENCE_MASK_COLOR.toLowerCase()).toBe('#ff00ff');
    const { insured, dependant } = attachedAdult(bdo);
    const row: AutonomisationRow = {
      insuredNir: insured.nir, dependantNir: dependant.nir, lastName: dependant.lastName, firstName: dependant.firstName,
      address: '7 rue des Canaris', postcode: '59500', city: 'Douai', regime: 'RG', effectiveDate: '2020-09-01', motif: 'MAJ',
    };
    // Fails on the insured's record: the insured's NIR, name and address, the dependants' NIRs and names on screen.
    const broken = deriveScenario(autonomisationAyantsDroit, {
      id: 'autonomisation-evidence',
      applications: [withElements(bdoApplication, 'dossierAssure', { blocDisparu: css('#bloc-disparu') })],
      steps: () => [searchInsured((r: AutonomisationRow) => r.insuredNir).step, { action: 'expect', target: 'dossierAssure.blocDisparu', timeoutMs: 300 }],
    });
    const error = await robot.run(broken, row, { dossierId: 'evidence' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScreenChanged);
    const files = (error as ScreenChanged).evidence;
    const htmlFile = files.find((f) => f.endsWith('.html'));
    const pngFile = files.find((f) => f.endsWith('.png'));
    expect(htmlFile && pngFile).toBeTruthy();

    const html = await readFile(htmlFile!, 'utf8');
    // Still a record of what the screen was: its structure, its headings, the masked blocks.
    expect(html).toContain('<table id="fiche-assure"');
    expect(html).toContain('<table id="ayants-droit"');
    expect(html).toContain("Dossier de l'assuré");
    expect(html).toContain('***');
    const onScreen = [
      row.insuredNir, row.dependantNir, formatNir(row.insuredNir), formatNir(row.dependantNir), row.lastName, row.firstName,
      insured.lastName, insured.firstName, insured.address, ...insured.dependants.flatMap((d) => [d.nir, formatNir(d.nir), d.firstName]),
    ];
    for (const value of onScreen) expect(html, `"${value}" kept in clear`).not.toContain(value);
    // Nothing left that the patterns (NIR, IBAN, e-mail, telephone) would still mask.
    expect(scrubText(html)).toBe(html);

    // The screenshot: the kept HTML laid out again at the robot's viewport gives the boxes of
    // the personal elements (their places do not depend on their text), then the PNG's pixels there.
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    try {
      await page.setContent(html);
      const boxOf = async (target: Target | string) => (await (typeof target === 'string' ? page.locator(target) : page.getByLabel((target as { label: string }).label, { exact: true })).boundingBox())!;
      const personalBoxes = [await boxOf(label("NIR de l'assuré")), await boxOf('#fiche-assure'), await boxOf('#ayants-droit')];
      const button = await page.getByRole('button', { name: 'Rechercher' }).boundingBox();
      const png = await readFile(pngFile!);
      for (const box of personalBoxes) {
        const colours = await pixels(page, png, inside(box));
        expect(colours.every(isMask), `${JSON.stringify(box)}: ${JSON.stringify(colours)}`).toBe(true);
      }
      // Not everything is painted over: the search button is still seen.
      const buttonColours = await pixels(page, png, [{ x: Math.round(button!.x + button!.width / 2), y: Math.round(button!.y + button!.height / 2) }]);
      expect(buttonColours.some(isMask)).toBe(false);
    } finally {
      await page.close();
    }
  });
});

describe('keepEvidence', () => {
  let page: Page;
  beforeEach(async () => {
    page = await browser.newPage();
    await page.setContent(`<!DOCTYPE html><html><body>
<form><label for="nom">Nom</label><input id="nom" name="nom" value="DURAND">
<label for="note">Note</label><textarea id="note">appeler Mme DURAND</textarea>
<label for="ok">Valider</label><input type="submit" id="ok" value="Valider"></form>
<p id="libre">Contact : durand@example.fr, 06 12 34 56 78, IBAN FR76 3000 6000 0112 3456 7890 189</p>
<table id="fiche" data-nir="185057512345678"><tr><td title="Claire DURAND">Claire DURAND</td></tr></table>
</body></html>`);
    await page.fill('#nom', 'DURAND Claire');
  });
  afterEach(async () => {
    await page.close();
  });

  it('replaces personal elements’ text and attributes, removes form values, masks the rest with the scrubber, and leaves the page as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proweb-evidence-'));
    const kept = await keepEvidence(page, dir, 'direct', { personal: [css('#fiche'), css('#absent')], scrubber: new Scrubber(['Claire']) });
    expect(kept).toHaveLength(2);
    expect(kept[0]).toMatch(/\.png$/);
    const html = await readFile(kept.find((f) => f.endsWith('.html'))!, 'utf8');
    expect(html).toContain('<table id="fiche" data-nir="***"><tbody><tr><td title="***">***</td></tr></tbody></table>');
    // (Playwright's screenshot leaves an empty style attribute on fields.)
    expect(html).toMatch(/<input id="nom" name="nom"( style="")?>/);
    expect(html).toMatch(/<textarea id="note"( style="")?><\/textarea>/);
    expect(html).toContain('value="Valider"');
    expect(html).toContain('Contact : ***@***, ** ** ** ** 78, IBAN FR76 **** **89');
    expect(html).not.toMatch(/DURAND|Claire|185057512345678|data-proweb/);
    // The live page: unmarked, its typed value untouched.
    expect(await page.locator('[data-proweb-personal]').count()).toBe(0);
    expect(await page.inputValue('#nom')).toBe('DURAND Claire');
  });

  it('never throws, and keeps nothing, when the page is already closed', async () => {
    await page.close();
    const dir = await mkdtemp(join(tmpdir(), 'proweb-evidence-'));
    await expect(keepEvidence(page, dir, 'closed', { personal: [css('#fiche')], scrubber: new Scrubber() })).resolves.toEqual([]);
  });
});
