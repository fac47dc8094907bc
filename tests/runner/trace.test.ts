import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { launchBrowser, Robot } from '../../runner/index.ts';
import { dipaPayment, dipaRow, type DipaRow } from '../../scenarios/dipa-payment.ts';
import { requestRows } from '../support/dipa.ts';

let backOffice: BackOffice;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  backOffice = await startBackOffice({ port: 0 });
  ({ browser } = await launchBrowser());
  dir = await mkdtemp(join(tmpdir(), 'proweb-traces-'));
});
afterAll(async () => {
  await browser?.close();
  await backOffice?.close();
});
beforeEach(() => {
  backOffice.state.reset();
  backOffice.faults.clear();
});

/** Every entry of a trace file (events, network log, DOM snapshots, resources), as text. */
async function contentsOf(file: string): Promise<string> {
  const zip = await JSZip.loadAsync(await readFile(file));
  const entries = await Promise.all(Object.values(zip.files).map(async (entry) => `${entry.name}\n${await entry.async('string')}`));
  return entries.join('\n');
}

/** The password as a trace could hold it: typed, posted in a form, escaped in JSON. */
const PASSWORD_FORMS = [DEFAULT_USER.password, encodeURIComponent(DEFAULT_USER.password), JSON.stringify(DEFAULT_USER.password).slice(1, -1)];
const holdsPassword = (text: string) => PASSWORD_FORMS.some((form) => text.includes(form));

const rows = (count: number): DipaRow[] => requestRows(backOffice, (p) => p.conventioned, count).map((r) => dipaRow.parse(r));

/** A robot of its own, not logged in yet, on the shared browser. */
const freshRobot = () => Robot.launch({ applications: { progres: { baseUrl: backOffice.url, ...DEFAULT_USER } }, evidenceDir: join(dir, 'evidence'), browser });

describe('a trace of a dossier', () => {
  it('would hold the typed password if it recorded a login (what the next tests look for is findable)', async () => {
    const context = await browser.newContext();
    try {
      await context.tracing.start({ screenshots: true, snapshots: true });
      const page = await context.newPage();
      await page.goto(`${backOffice.url}/progres/connexion`);
      await page.getByLabel('Identifiant').fill(DEFAULT_USER.username);
      await page.getByLabel('Mot de passe').fill(DEFAULT_USER.password);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.waitForLoadState('load');
      const file = join(dir, 'with-login.zip');
      await context.tracing.stop({ path: file });
      expect(holdsPassword(await contentsOf(file))).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('is off unless asked: a dossier without tracePath writes no trace', async () => {
    const robot = await freshRobot();
    try {
      const traces: string[][] = [];
      expect(await robot.run(dipaPayment, rows(1)[0]!, { dossierId: 'no-trace', onTrace: (f) => traces.push(f) })).toMatchObject({ status: 'done' });
      expect(traces).toEqual([]);
    } finally {
      await robot.close();
    }
  });

  it('records the dossier’s pages but not its login, in one file', async () => {
    const robot = await freshRobot();
    try {
      const tracePath = join(dir, 'dossier.zip');
      const traces: string[][] = [];
      const outcome = await robot.run(dipaPayment, rows(1)[0]!, { dossierId: 'traced', tracePath, onTrace: (f) => traces.push(f) });
      expect(outcome).toMatchObject({ status: 'done', alreadyEntered: false });
      // The login before the dossier's first page recorded nothing: one file, the one asked for.
      expect(traces).toEqual([[tracePath]]);
      const text = await contentsOf(tracePath);
      expect(text).toContain('/progres/ps?numero=');
      expect(text).toContain('/progres/paiement');
      expect(holdsPassword(text)).toBe(false);
    } finally {
      await robot.close();
    }
  });

  it('leaves out a login in the middle of the dossier (its session expired): the parts before and after, without the password', async () => {
    const robot = await freshRobot();
    try {
      const [first, second] = rows(2);
      await robot.run(dipaPayment, first!, { dossierId: 'before' });
      backOffice.state.expireAllSessions();
      const tracePath = join(dir, 'relogin.zip');
      const traces: string[][] = [];
      const outcome = await robot.run(dipaPayment, second!, { dossierId: 'relogin', tracePath, onTrace: (f) => traces.push(f) });
      expect(outcome).toMatchObject({ status: 'done' });
      expect(traces).toEqual([[tracePath, join(dir, 'relogin-2.zip')]]);
      const [before, after] = await Promise.all(traces[0]!.map(contentsOf));
      // Sent back to the login page (recorded, empty), then the dossier once logged in again.
      expect(before).toContain('/progres/connexion');
      expect(after).toContain('/progres/paiement');
      expect(holdsPassword(before!)).toBe(false);
      expect(holdsPassword(after!)).toBe(false);
    } finally {
      await robot.close();
    }
  });
});
