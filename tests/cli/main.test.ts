import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';
import { PRIME_COVID_DEMO_EXPECTATIONS } from '../../fixtures/data/generate-prime-covid-sample.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { runCli } from '../support/cli.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';

const DIPA_50 = fileURLToPath(new URL('../../fixtures/data/dipa-50.csv', import.meta.url));
const SAMPLE = (name: string) => fileURLToPath(new URL(`../../fixtures/data/${name}`, import.meta.url));

let backOffice: BackOffice;
beforeAll(async () => {
  backOffice = await startBackOffice({ port: 0 });
});
afterAll(async () => {
  await backOffice?.close();
});

const freshDataDir = () => mkdtemp(join(tmpdir(), 'proweb-cli-'));

describe('the proweb command', () => {
  it('stops with one error line and exit code 2 when the input file is missing', async () => {
    const run = await runCli(['run', 'dipa-payment', '--input', '/nonexistent/dipa.csv', '--caisse', 'CPAM Lille-Douai'], { PROWEB_DATA_DIR: await freshDataDir() });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: \/nonexistent\/dipa\.csv: file not found \(Check the path/)]);
    expect(run.leftovers).toEqual([]);
  });

  it('refuses an input file with no rows (empty, or a header alone) with exit code 2, for run, validate and enqueue', async () => {
    const folder = await freshDataDir();
    const empty = join(folder, 'vide.csv');
    const headerOnly = join(folder, 'entete.csv');
    await writeFile(empty, '');
    await writeFile(headerOnly, '\ufeffnumero_demande;numero_ps;categorie\r\n');
    const run = await runCli(['run', 'dipa-payment', '--input', headerOnly, '--caisse', 'CPAM Lille-Douai'], { PROWEB_DATA_DIR: await freshDataDir() });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*entete\.csv: the file has no rows: only the header \(row 1\)/)]);
    expect(run.stdout).not.toMatch(/succeeded|réussi/i);
    expect(run.leftovers).toEqual([]);
    const validate = await runCli(['validate', 'dipa-payment', '--input', empty]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(/^error: .*vide\.csv: the file has no rows: it is empty/m);
    const enqueue = await runCli(['enqueue', 'dipa-payment', '--input', empty, '--caisse', 'CPAM Lille-Douai'], { PROWEB_DATA_DIR: await freshDataDir() });
    expect(enqueue.code).toBe(2);
    expect(enqueue.stderr).toMatch(/^error: .*vide\.csv: the file has no rows: it is empty/m);
    expect(enqueue.leftovers).toEqual([]);
  });

  it('lists its scenarios with their manual minutes', async () => {
    const run = await runCli(['scenarios']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^id\s+version\s+scope\s+applications\s+manual\s+owner\s+title$/m);
    expect(run.stdout).toMatch(new RegExp(`^dipa-payment\\s+v${dipaPayment.version.replaceAll('.', '\\.')}\\s+national\\s+progres\\s+6 min\\s+MOAD ProWeb\\s+Paiement des acomptes DIPA`, 'm'));
  });

  it('runs a campaign with a private Redis, reports bad rows and gains, and leaves nothing running', async () => {
    const dataDir = await freshDataDir();
    const rows = requestRows(backOffice, (p) => p.conventioned, 4).slice(1);
    rows.push({ ...rows[0]!, numero_demande: 'DIPA-2020-999999', categorie: 'XYZ' });
    const input = await dipaFile('campagne.csv', rows);
    const config = join(dataDir, 'proweb.config.json');
    await writeFile(config, JSON.stringify({ applications: { progres: { baseUrl: backOffice.url, username: DEFAULT_USER.username, passwordEnv: 'PROGRES_PASSWORD' } }, concurrency: 2 }));
    const before = backOffice.state.payments.length;

    const run = await runCli(['run', 'dipa-payment', '--input', input, '--caisse', 'CPAM Lille-Douai', '--config', config], {
      PROWEB_DATA_DIR: dataDir, PROGRES_PASSWORD: DEFAULT_USER.password, REDIS_URL: '',
    });

    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('campagne.csv row 5, categorie: "XYZ" is not one of');
    expect(run.stdout).toMatch(/done\s+3\n/);
    expect(run.stdout).toMatch(/dipa-payment\s+3\s+0\s+0\s+0,3/);
    expect(backOffice.state.payments.length - before).toBe(3);
    expect(run.leftovers).toEqual([]);
    const log = await readFile(join(dataDir, 'logs', 'proweb.log'), 'utf8');
    expect(log.match(/"msg":"dossier done"/g)).toHaveLength(3);
    for (const row of rows) {
      expect(log).not.toContain(row.iban);
      expect(log).not.toContain(row.nom.split(' ')[0]!);
    }
  });

  it('runs the demo end to end: payments entered once each, gains printed, no process left', async () => {
    const run = await runCli(['demo', '--input', DIPA_50, '--concurrency', '2'], { PROWEB_DATA_DIR: await freshDataDir() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Back office check: 50 payments recorded for 50 dossiers done, 0 entered twice.');
    // Three faults: two answers lost after the commit (found by the guard), one error page before it.
    expect(run.stdout).toMatch(/technical retries\s+3/);
    expect(run.stdout).toMatch(/Total\s+50\s+0\s+0\s+5,0/);
    expect(run.leftovers).toEqual([]);
  });
});

describe('proweb run interrupted', () => {
  it('on SIGTERM lets running dossiers finish, exits, and the next run completes the campaign without paying twice', async () => {
    const slow = await startBackOffice({ port: 0, latencyMs: 150 });
    try {
      const dataDir = await freshDataDir();
      const input = await dipaFile('interrompue.csv', requestRows(slow, (p) => p.conventioned, 20));
      const config = join(dataDir, 'proweb.config.json');
      await writeFile(config, JSON.stringify({ applications: { progres: { baseUrl: slow.url, username: DEFAULT_USER.username, password: DEFAULT_USER.password } }, concurrency: 2 }));
      const args = ['run', 'dipa-payment', '--input', input, '--caisse', 'CPAM Lille-Douai', '--config', config];
      const env = { PROWEB_DATA_DIR: dataDir, REDIS_URL: '' };

      const first = await runCli(args, { env, interrupt: { when: /\b[2-9]\/20 dossiers/, signal: 'SIGTERM' } });
      expect(first.code).toBe(130);
      expect(first.leftovers).toEqual([]);
      const paidBefore = slow.state.payments.length;
      expect(paidBefore).toBeGreaterThan(0);
      expect(paidBefore).toBeLessThan(20);

      const second = await runCli(args, { env });
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('still queued from an earlier run');
      expect(second.stdout).toMatch(/Total\s+20\s+0\s+0\s/);
      expect(duplicatesIn(slow.state.entriesByKey())).toEqual([]);
      expect(entryCount(slow.state.entriesByKey())).toBe(20);
      expect(second.leftovers).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});

describe('authoring commands', () => {
  it('try runs one dossier, printing each step, and keeps a trace', async () => {
    const dataDir = await freshDataDir();
    const run = await runCli(['try', 'dipa-payment', '--input', DIPA_50, '--row', '3', '--backoffice', '--trace'], { PROWEB_DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ 6\s+fill\s+paiement\.montant \[label "Montant \(€\)"\]\s+\d+ ms/);
    expect(run.stdout).toMatch(/done: PRG-2020-\d{6}/);
    const trace = /trace: (\S+\.zip)/.exec(run.stdout)?.[1];
    expect(trace && (await readFile(trace)).length).toBeGreaterThan(1000);
    expect(run.leftovers).toEqual([]);
  });

  it('check-screens names the field that moved when a screen changed, and fails', async () => {
    const upgraded = await startBackOffice({ port: 0, screenChanges: [{ label: 'Montant (€)', becomes: 'Montant à payer (€)' }] });
    try {
      const dataDir = await freshDataDir();
      const config = join(dataDir, 'proweb.config.json');
      await writeFile(config, JSON.stringify({ applications: { progres: { baseUrl: upgraded.url, ...DEFAULT_USER } } }));
      const run = await runCli(['check-screens', 'dipa-payment', '--input', DIPA_50, '--config', config], { PROWEB_DATA_DIR: dataDir });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('✗ progres › paiement');
      expect(run.stdout).toContain('missing: paiement.montant label "Montant (€)"');
      expect(run.stdout).toContain('✓ progres › fichePs');
      expect(upgraded.state.payments).toHaveLength(0);

      const same = await runCli(['check-screens', 'dipa-payment', '--input', DIPA_50, '--backoffice'], { PROWEB_DATA_DIR: dataDir });
      expect(same.code).toBe(0);
      expect(same.stdout).toContain('✓ progres › paiement (9 elements)');
    } finally {
      await upgraded.close();
    }
  });

  it('validate checks every row without a browser, writes the rows to correct next to the file, and exits 1', async () => {
    const file = join(await freshDataDir(), 'primes.csv');
    await copyFile(SAMPLE('prime-covid-demo.csv'), file);
    const expected = PRIME_COVID_DEMO_EXPECTATIONS;
    const run = await runCli(['validate', 'prime-covid', '--input', file]);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual(expected.invalidRows.map((r) => expect.stringMatching(new RegExp(`^primes\\.csv row ${r.row + 1}, ${r.column}: `))));
    const rejected = file.replace(/\.csv$/, '.rejets.csv');
    expect(lines.at(-1)).toBe(`${expected.rows} rows: ${expected.rows - expected.invalid} valid, ${expected.invalid} invalid; rejected rows written to ${rejected}`);
    expect((await readFile(rejected, 'utf8')).trimEnd().split('\r\n')).toHaveLength(1 + expected.invalid);
    expect(run.leftovers).toEqual([]);
  });

  it('try --dry-run walks one dossier through every step but the commit: nothing is entered', async () => {
    const dataDir = await freshDataDir();
    const config = join(dataDir, 'proweb.config.json');
    await writeFile(config, JSON.stringify({ applications: { ij: { baseUrl: backOffice.url, ...DEFAULT_USER } } }));
    backOffice.apps.ij.reset();
    const run = await runCli(['try', 'prn-entry', '--input', SAMPLE('prn-10.csv'), '--row', '2', '--config', config, '--dry-run'], { PROWEB_DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(dry run: nothing is entered)');
    expect(run.stdout).toMatch(/✓ \d+\s+fill\s+saisiePrestation\.salaire3 \[label "Salaire mois 3 \(€\)"\]/);
    expect(run.stdout).toMatch(/✓ \d+\s+submit\s+saisiePrestation\.valider/);
    expect(run.stdout).toMatch(/done: \(dry run\)/);
    expect(backOffice.apps.ij.prestations).toEqual([]);
    expect(run.leftovers).toEqual([]);
  });

  it('check-screens names the field that moved on an IJ screen too, and fails', async () => {
    const upgraded = await startBackOffice({ port: 0, screenChanges: [{ label: 'Salaire mois 2 (€)', becomes: 'Salaire du 2e mois (€)' }] });
    try {
      const dataDir = await freshDataDir();
      const config = join(dataDir, 'proweb.config.json');
      await writeFile(config, JSON.stringify({ applications: { ij: { baseUrl: upgraded.url, ...DEFAULT_USER } } }));
      const run = await runCli(['check-screens', 'prn-entry', '--input', SAMPLE('prn-10.csv'), '--config', config], { PROWEB_DATA_DIR: dataDir });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('✓ ij › ficheAssure');
      expect(run.stdout).toContain('✗ ij › saisiePrestation');
      expect(run.stdout).toContain('missing: saisiePrestation.salaire2 label "Salaire mois 2 (€)"');
      expect(run.stdout.match(/missing: /g)).toHaveLength(1);
      expect(upgraded.apps.ij.prestations).toEqual([]);
      expect(run.leftovers).toEqual([]);
    } finally {
      await upgraded.close();
    }
  });

  it('check-screens without a scenario walks each scenario that one of the input files fits, and names those it skips', async () => {
    const dataDir = await freshDataDir();
    const run = await runCli(['check-screens', '--backoffice', '--input', DIPA_50, SAMPLE('prn-10.csv')], { PROWEB_DATA_DIR: dataDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Walking dipa-payment with row 2 of .*dipa-50\.csv/m);
    expect(run.stdout).toMatch(/^Walking prn-entry with row 2 of .*prn-10\.csv/m);
    for (const skipped of ['forfait-ps', 'prime-covid', 'autonomisation-ayants-droit']) expect(run.stdout).toMatch(new RegExp(`^${skipped}: skipped, no valid row for it in`, 'm'));
    expect(run.stdout).not.toContain('missing: ');
    expect(run.leftovers).toEqual([]);

    const wrong = await runCli(['check-screens', 'dipa-payment', '--backoffice', '--input', SAMPLE('prn-10.csv')], { PROWEB_DATA_DIR: dataDir });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^error: .*prn-10\.csv: no valid row for dipa-payment to walk the screens with/m);
  });
});
