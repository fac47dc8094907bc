import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundTo } from '../../gains/etp.ts';
import { chartDataOf, renderGainHtml } from '../../gains/html.ts';
import type { LedgerEntry } from '../../gains/ledger-entry.ts';
import { parseDateBound } from '../../gains/period.ts';
import { summarizeGains, type GainReportOptions } from '../../gains/report.ts';
import { launchBrowser } from '../../runner/browser.ts';
import { nationalLedger } from './national-ledger.ts';

let browser: Browser;
let dir: string;
beforeAll(async () => {
  ({ browser } = await launchBrowser());
  dir = await mkdtemp(join(tmpdir(), 'proweb-html-'));
});
afterAll(async () => {
  await browser?.close();
});

const ledger = nationalLedger({ maxMachinesPerMonth: 40 });

/** Opens a report as a manager does (a file, double-clicked), watching the console and the network. */
async function open(entries: LedgerEntry[], options: GainReportOptions, name: string) {
  const report = await summarizeGains(entries, options);
  const file = join(dir, `${name}.html`);
  await writeFile(file, await renderGainHtml(report));
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' || m.type() === 'warning' ? problems.push(`${m.type()}: ${m.text()}`) : undefined));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(file).href;
  await page.goto(url);
  await page.waitForSelector('body[data-charts="ready"]', { timeout: 10_000 });
  return { report, page, problems, requests: requests.filter((r) => r !== url), close: () => context.close() };
}

/** What a Chart.js chart on the page holds: its labels, its datasets' values, and how much of its canvas is painted. */
const chartOn = (page: Page, id: string) =>
  page.evaluate((canvasId) => {
    // Runs in the page: typed loosely, the project compiles without the DOM library.
    const page = globalThis as unknown as { document: { getElementById(id: string): any }; Chart: { getChart(canvas: unknown): any } };
    const canvas = page.document.getElementById(canvasId);
    const chart = page.Chart.getChart(canvas);
    const pixels: Uint8ClampedArray = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
    const datasets = chart?.data.datasets as { label: string; data: number[] }[] | undefined;
    return { labels: chart?.data.labels as string[] | undefined, datasets: datasets?.map((d) => ({ label: d.label, data: d.data })), width: canvas.width as number, painted };
  }, id);

describe('the HTML gain report in headless Chromium', () => {
  it('opens offline, without a console error or any request, and its charts hold the report’s figures', async () => {
    const { report, page, problems, requests, close } = await open(ledger, { by: 'year' }, 'years');
    try {
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      expect(await page.title()).toBe('Gains ProWeb — de janvier 2018 à décembre 2020');

      const months = await chartOn(page, 'chart-months');
      expect(months.labels).toHaveLength(36);
      expect(months.labels?.slice(0, 2)).toEqual(['janv. 2018', 'févr. 2018']);
      expect(months.datasets?.map((d) => d.label)).toEqual(['Dossiers traités', 'Heures gagnées']);
      expect(months.datasets?.[0]!.data).toEqual(report.months.map((m) => m.dossiers));
      expect(months.datasets?.[1]!.data).toEqual(report.months.map((m) => roundTo(m.hoursSaved, 1)));
      const year2020 = months.datasets![0]!.data.slice(24).reduce((a, b) => a + b, 0);
      expect(year2020).toBe(33_634_572);

      const scenarios = await chartOn(page, 'chart-scenarios');
      expect(scenarios.labels?.[0]).toBe('attestations-salaire');
      expect(scenarios.datasets?.[0]!.data).toEqual(chartDataOf(report).scenarios.etp);
      expect(scenarios.datasets![0]!.data.reduce((a, b) => a + b, 0)).toBeCloseTo(report.total.etp, 0);

      // Over 2018–2020 the headline is the average rate, 321,3 ETP; the three years added up only as années-ETP.
      expect(await page.locator('.kpi', { hasText: 'Équivalent temps plein' }).innerText()).toMatch(
        /^Équivalent temps plein\s+321,3\u00a0ETP\s+en moyenne sur 3\u00a0ans · 964,0 années-ETP cumulées$/,
      );
      expect(await page.locator('tbody tr').allInnerTexts()).toEqual([
        expect.stringMatching(/^2018\t.*\t262,3\t/), expect.stringMatching(/^2019\t.*\t311,7\t/), expect.stringMatching(/^2020\t.*\t389,9\t/),
        expect.stringMatching(/^Total\t.*\t321,3\t/),
      ]);
      expect(await page.locator('footer').innerText()).toContain(
        'ETP : heures gagnées ÷ (1\u202f365\u00a0h × durée de la période en années), soit des personnes à temps plein sur cette période : ' +
          'chaque année sur son année (ou sa part dans la période), le total sur la période (01/01/2018 – 31/12/2020, 3\u00a0ans, les mois couverts par le registre).',
      );

      const machines = await chartOn(page, 'chart-machines');
      expect(machines.datasets?.[0]!.data).toEqual(report.months.map((m) => m.machines));
      for (const chart of [months, scenarios, machines]) {
        expect(chart.width).toBeGreaterThan(300);
        expect(chart.painted).toBeGreaterThan(1000);
      }
    } finally {
      await close();
    }
  });

  it('shows the key figures and the table in French', async () => {
    const period = { from: parseDateBound('2020', 'from'), to: parseDateBound('2020', 'to') };
    const { page, problems, close } = await open(ledger, { by: 'month', period }, 'year-2020');
    try {
      expect(problems).toEqual([]);
      const kpis = await page.locator('.kpi').allInnerTexts();
      expect(kpis).toEqual(expect.arrayContaining([
        expect.stringMatching(/Dossiers traités\s+33\u202f634\u202f572/),
        expect.stringMatching(/Heures gagnées\s+532\u202f242/),
        expect.stringMatching(/Équivalent temps plein\s+389,9\u00a0ETP/),
        expect.stringMatching(/Évolution des dossiers\s+\+56\u00a0%\s+période précédente : 01\/01\/2019 – 31\/12\/2019/),
      ]));
      expect(await page.locator('header p').innerText()).toMatch(/^Période : du 01\/01\/2020 au 31\/12\/2020/);
      const rows = await page.locator('tbody tr').allInnerTexts();
      expect(rows).toHaveLength(13);
      // A month's ETP is over that month: April 2020's 63 869 h are 561 people full time.
      expect(rows[3]).toMatch(/^avril 2020\t.*\t63\u202f869\t561,5\t/);
      expect(await page.locator('.kpi', { hasText: 'Équivalent temps plein' }).innerText()).toMatch(/en moyenne sur 1\u00a0an$/);
      expect(await page.locator('footer').innerText()).toContain('chaque mois sur son mois (ou sa part dans la période), le total sur la période (01/01/2020 – 31/12/2020, 1\u00a0an).');
      expect(rows[0]).toMatch(/^janvier 2020\t/);
      expect(rows[12]).toMatch(/^Total\t33\u202f634\u202f572\t0\t0\t100,0\u00a0%\t532\u202f242\t389,9\t/);
      expect(rows[12]).toMatch(/\+56\u00a0%$/);
    } finally {
      await close();
    }
  });

  it('escapes what the ledger holds, and draws an empty ledger without failing', async () => {
    const hostile: LedgerEntry = {
      campaignId: 'c', scenarioId: 'dipa-payment', scenarioVersion: '1.0.0', caisse: '<img src=x onerror=alert(1)></script>', machine: 'm',
      dossierId: 'd', status: 'done', manualMinutesSaved: 6, robotMs: 1, attempts: 1, finishedAt: '2020-04-02T10:00:00.000Z',
    };
    const escaped = await open([hostile], { by: 'caisse' }, 'hostile');
    try {
      expect(escaped.problems).toEqual([]);
      expect(escaped.requests).toEqual([]);
      expect(await escaped.page.locator('tbody th').first().innerText()).toBe('<img src=x onerror=alert(1)></script>');
    } finally {
      await escaped.close();
    }
    const empty = await open([], {}, 'empty');
    try {
      expect(empty.problems).toEqual([]);
      expect((await chartOn(empty.page, 'chart-months')).labels).toEqual([]);
    } finally {
      await empty.close();
    }
  });
});
