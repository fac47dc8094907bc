/**
 * What `proweb new` writes: a first scenario in today's DSL (v2: the typed step builder), a sample input file and an
 * end-to-end test, for one application of the mock back office. Every template is here, so
 * that a change of the DSL is one edit of this module; `cli/commands/new.ts` only checks
 * names and paths and writes the files.
 *
 * Each application's starter is the smallest procedure its mock accepts: open a record, a
 * rejection if the record is unknown, the guard, the form's fields, the submit. The author
 * then turns it into the real procedure (columns, fields, guard) and its tests.
 */
import { formatCentsForEntry } from '../domain/french-formats.ts';
import { startBackOffice } from '../fixtures/backoffice/index.ts';

/** The names the templates need, derived once from the scenario's id and the sample's path. */
export interface TemplateNames {
  /** `remboursement-test` */
  id: string;
  /** `remboursementTest`: the scenario's export. */
  camel: string;
  /** `RemboursementTest`: the row type is `${pascal}Row`. */
  pascal: string;
  /** The sample, relative to `tests/scenarios/` (`../../input/remboursement-test-sample.csv`). */
  sampleFromTest: string;
}

/** One application's starter. */
export interface Starter {
  application: string;
  /** What the starter enters, in one line for the command's output. */
  summary: string;
  /** The sample file's columns, in order. */
  columns: readonly string[];
  /** Rows the mock accepts, from its seeded data (the default seed, as the tests start it). */
  sampleRows(): Promise<Record<string, string>[]>;
  scenario(n: TemplateNames): string;
  e2eTest(n: TemplateNames, rows: number): string;
}

/** How many rows a sample holds: enough to run side by side, few enough to read. */
export const SAMPLE_ROWS = 5;

const progresStarter: Starter = {
  application: 'progres',
  summary: 'a DIPA period-1 payment per professional in Progrès (PS number, amount, IBAN)',
  columns: ['numero_ps', 'montant', 'iban'],
  async sampleRows() {
    const backOffice = await startBackOffice({ port: 0 });
    try {
      // Progrès pays only professionals under convention: the others would be refused.
      const payable = [...backOffice.state.professionals.values()].filter((p) => p.conventioned).slice(0, SAMPLE_ROWS);
      return payable.map((p, i) => ({ numero_ps: p.ps, montant: formatCentsForEntry(100_000 + i * 2_550), iban: p.iban }));
    } finally {
      await backOffice.close();
    }
  },
  scenario: (n) => `import { z } from 'zod';
import { formatCentsForEntry } from '../domain/french-formats.ts';
import { progres } from './applications/progres.ts';
import { defineScenario } from './dsl/index.ts';
import { amountCents, iban, psNumber } from './fields.ts';

/**
 * One row of the input file. Column titles are matched to these snake_case names
 * ("Numéro PS" → numero_ps); each problem names its column. Keep the parsed row JSON-safe:
 * strings and integers (amounts in cents, dates in ISO).
 */
export const ${n.camel}Row = z
  .object({
    numero_ps: psNumber(),
    montant: amountCents(),
    iban: iban(),
  })
  .transform((r) => ({ ps: r.numero_ps, amountCents: r.montant, iban: r.iban }));

export type ${n.pascal}Row = z.output<typeof ${n.camel}Row>;

/** Written by \`proweb new ${n.id} --application progres\`: make it the procedure it automates. */
export const ${n.camel} = defineScenario({
  id: '${n.id}',
  title: '${n.id}: say what it does, in the words of the procedure',
  version: '1.0.0',
  scope: 'local',
  owner: 'MOAD ProWeb',
  applications: [progres],
  input: ${n.camel}Row,
  key: ['ps'],
  // Masked in every log line, error, kept page and answer that leaves the robot.
  personal: ['iban'],
  // Time the procedure by hand: what one dossier costs a person.
  manualMinutes: 5,
  // A dossier the robot gave up on: find where it stopped, then do it by hand.
  reworkMinutes: 7,
  steps: (s) => s
    .open('fichePs', { numero: (row) => row.ps }, { note: "open the professional's record" })
    .rejectIf('fichePs.erreur', { note: 'unknown professional' })
    .guard(
      ['fichePs.paiement', { dispositif: 'DIPA', periode: 'P1' }],
      ['fichePs.referencePaiement', { dispositif: 'DIPA', periode: 'P1' }],
      { note: 'already paid' },
    )
    .open('paiement', { ps: (row) => row.ps }, { note: 'the payment form' })
    .select('paiement.dispositif', 'DIPA-P1')
    .fill('paiement.montant', (row) => formatCentsForEntry(row.amountCents))
    .select('paiement.reglement', 'VIR')
    .fill('paiement.iban', (row) => row.iban)
    .fill('paiement.motif', '${n.id}')
    .submit('paiement.valider', { success: 'confirmationPaiement.reference', refusal: 'paiement.refus' }),
});
`,
  e2eTest: (n, rows) => `import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { Ledger } from '../../gains/index.ts';
import { readInputRows } from '../../input/index.ts';
import { runCampaign } from '../../queue/index.ts';
import { Robot } from '../../runner/index.ts';
import { ${n.camel}, ${n.camel}Row } from '../../scenarios/${n.id}.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { testSecret } from '../support/secret.ts';

/** Written by \`proweb new\`: every row valid, each a professional the mock back office pays. */
const SAMPLE = fileURLToPath(new URL('${n.sampleFromTest}', import.meta.url));
const ROWS = ${rows};

let redis: TestRedis;
let backOffice: BackOffice;
let robot: Robot;

beforeAll(async () => {
  redis = await startTestRedis();
  backOffice = await startBackOffice({ port: 0 });
  robot = await Robot.launch({ applications: { progres: { baseUrl: backOffice.url, ...DEFAULT_USER } }, concurrency: 2, evidenceDir: '.proweb/test-evidence' });
});
afterAll(async () => {
  await robot?.close();
  await backOffice?.close();
  await redis?.close();
});

/** A campaign on a copy of the sample (it writes next to its input), under a key prefix: a deployment. */
async function run(prefix: string) {
  const file = join(await mkdtemp(join(tmpdir(), 'proweb-${n.id}-')), basename(SAMPLE));
  await copyFile(SAMPLE, file);
  return runCampaign({ connection: redis.server.connection, prefix, scenario: ${n.camel}, file, caisse: 'CPAM Lille-Douai', secret: testSecret, machine: 'test-robot', robot, ledger: new Ledger(redis.client, { prefix }) });
}

/** The business keys Progrès must hold once each: one DIPA period-1 payment per row's professional. */
async function expectedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const { raw } of readInputRows(SAMPLE)) keys.push(\`\${${n.camel}Row.parse(raw).ps}|DIPA|P1\`);
  return keys.sort();
}

describe('${n.id} against the mock Progrès', () => {
  it('enters each row of the sample once; run again, or by a deployment whose ledger never saw it, it enters nothing', async () => {
    const prefix = redis.prefix();
    const first = await run(prefix);
    expect(first.submission).toMatchObject({ rows: ROWS, invalidRows: 0, alreadyDone: 0 });
    expect(first.finished.map((f) => f.status)).toEqual(Array(ROWS).fill('done'));
    expect([...backOffice.state.entriesByKey().keys()].sort()).toEqual(await expectedKeys());
    expect(duplicatesIn(backOffice.state.entriesByKey())).toEqual([]);

    // The same file again: the ledger knows every dossier is done.
    const again = await run(prefix);
    expect(again.submission).toMatchObject({ rows: ROWS, alreadyDone: ROWS });

    // Another deployment, its ledger empty: the guard finds each payment on screen.
    const fresh = await run(redis.prefix());
    expect(fresh.finished.map((f) => f.status)).toEqual(Array(ROWS).fill('done'));
    expect(entryCount(backOffice.state.entriesByKey())).toBe(ROWS);
  });
});
`,
};

/** The starters, by application id. */
export const STARTERS: ReadonlyMap<string, Starter> = new Map([progresStarter].map((s) => [s.application, s]));

/** The sample file's text: a header, then one line per row, `;`-separated as French spreadsheets write it. */
export function sampleCsv(columns: readonly string[], rows: readonly Record<string, string>[]): string {
  return [columns.join(';'), ...rows.map((r) => columns.map((c) => r[c] ?? '').join(';'))].join('\r\n') + '\r\n';
}
