import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const DIPA_50 = fileURLToPath(new URL('../../fixtures/data/dipa-50.csv', import.meta.url));

describe('proweb try --profile', () => {
  it('prints each step’s time and round-trips, the form’s steps counted as one batch, without the row’s personal data', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'proweb-cli-'));
    const run = await runCli(['try', 'dipa-payment', '--input', DIPA_50, '--row', '3', '--backoffice', '--profile'], { PROWEB_DATA_DIR: dataDir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Each step still has its own line as it runs; the batched ones say so.
    expect(run.stdout).toMatch(/✓ 6\s+fill\s+paiement\.montant \[label "Montant \(€\)"\]\s+\d+ ms {2}\(batched from step 5\)/);

    const table = run.stdout.slice(run.stdout.indexOf('profile: time and Playwright round-trips per step\n'));
    const lines = table.trimEnd().split('\n').slice(1);
    expect(lines[0]).toMatch(/^\s+step\s+ms\s+round-trips\s+action$/);
    const rows = lines.slice(1).map((l) => /^\s+(\S+)\s+(\d+)\s+(\d+)\s*(.*)$/.exec(l)!).map(([, step, ms, trips, action]) => ({ step: step!, ms: Number(ms), trips: Number(trips), action: action! }));
    expect(rows.map((r) => r.step)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'total']);
    // The five form steps: one evaluate for all, its time shared.
    expect(rows[4]).toMatchObject({ trips: 1, action: expect.stringMatching(/^select\s+paiement\.dispositif .*\[batch 5–9: 5 steps, one round-trip\]$/) });
    for (const row of rows.slice(5, 9)) expect(row).toMatchObject({ trips: 0, action: expect.stringMatching(/\[in batch 5–9\]$/) });
    // Opening the first screen logs in first: the most calls. The commit reads its answer.
    expect(rows[0]!.trips).toBeGreaterThan(rows[1]!.trips);
    expect(rows[9]).toMatchObject({ action: expect.stringMatching(/^submit\s+paiement\.valider/) });
    expect(rows[9]!.trips).toBeGreaterThanOrEqual(2);
    const steps = rows.slice(0, -1);
    expect(rows.at(-1)).toMatchObject({
      ms: steps.reduce((s, r) => s + r.ms, 0),
      trips: steps.reduce((s, r) => s + r.trips, 0),
      action: expect.stringMatching(/^the dossier took \d+ ms in all/),
    });

    // The row's name and IBAN, typed into the form, are nowhere in what the command printed.
    const row3 = (await readFile(DIPA_50, 'utf8')).split(/\r?\n/)[2]!.split(';');
    for (const value of [row3[2]!, row3[7]!]) expect(run.stdout).not.toContain(value);
    expect(run.leftovers).toEqual([]);
  });
});
