import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_USER, startBackOffice, type BackOffice, type FaultSpec } from '../../fixtures/backoffice/index.ts';
import { PRIME_COVID_DEMO_EXPECTATIONS } from '../../fixtures/data/generate-prime-covid-sample.ts';
import { LoginRefused } from '../../core/errors.ts';
import { Robot } from '../../runner/index.ts';
import { primeCovid, primeCovidRow } from '../../scenarios/prime-covid.ts';
import { duplicatesIn } from '../support/backoffice-entries.ts';
import { eventually } from '../support/eventually.ts';
import { expectExactlyOnce, startFleet, type Fleet } from '../support/fleet.ts';
import { validRows } from '../support/input-rows.ts';
import { entriesOf } from '../support/ledger.ts';

/**
 * The fault matrix on GRH (Covid bonus entries): two `proweb worker` processes (real Chromium
 * each), one real Redis, a GRH that accepts a second bonus for an agent and, unless said, a
 * form posted twice. The campaign is the demo file, shortened: invalid rows, refusals (two of
 * them answered to the commit itself), bonuses a payroll officer already entered, the rest to enter.
 * Each fault ends with every dossier ended once, no bonus entered twice (counted in GRH's own
 * state), the ledger agreeing with GRH, the rows GRH refuses rejected and nothing else
 * rejected: a fault never turns a dossier into a rejection.
 */
const SAMPLE = fileURLToPath(new URL('../../fixtures/data/prime-covid-demo.csv', import.meta.url));
const DEMO = PRIME_COVID_DEMO_EXPECTATIONS;
/** Accepted rows kept from the demo file, so that a case stays short on a 2-core machine. */
const ACCEPTED_KEPT = 21;

/**
 * The demo file cut to its invalid rows, its refusals, its bonuses already entered and its
 * first {@link ACCEPTED_KEPT} accepted rows, in the file's order (as the HR department would
 * have sent a shorter file). Row numbers are those of the cut file (header = row 1).
 */
const CUT = (() => {
  const special = new Map<number, 'invalid' | 'refused' | 'already-entered'>([
    ...DEMO.invalidRows.map((r) => [r.row, 'invalid'] as const),
    ...DEMO.refusedRows.map((r) => [r.row, 'refused'] as const),
    ...DEMO.alreadyEntered.map((r) => [r.row, 'already-entered'] as const),
  ]);
  const kept: number[] = [];
  let accepted = 0;
  for (let row = 1; row <= DEMO.rows; row++) {
    if (special.has(row) || accepted++ < ACCEPTED_KEPT) kept.push(row);
  }
  /** Row number in the cut file of a row of the demo file (1-based, header excluded). */
  const rowNumberOf = (demoRow: number) => kept.indexOf(demoRow) + 2;
  return {
    kept,
    rows: kept.length,
    invalid: DEMO.invalid,
    refusedRows: DEMO.refusedRows.map((r) => ({ ...r, rowNumber: rowNumberOf(r.row) })),
    alreadyEntered: DEMO.alreadyEntered.map((r) => ({ ...r, rowNumber: rowNumberOf(r.row) })),
  };
})();
/** The rows that become dossiers (invalid rows never reach GRH). */
const DOSSIERS = CUT.rows - CUT.invalid;
/** The refusals the sample is built with: what must be rejected, whatever the fault. */
const REFUSED = CUT.refusedRows.length;

let backOffice: BackOffice | undefined;
let fleet: Fleet | undefined;
let inputDir: string | undefined;

afterEach(async () => {
  await fleet?.close();
  await backOffice?.close();
  if (inputDir) await rm(inputDir, { recursive: true, force: true });
  fleet = undefined;
  backOffice = undefined;
  inputDir = undefined;
});

async function setUp(options: { formTokens?: boolean } = {}) {
  backOffice = await startBackOffice({ port: 0, applications: { grh: { formTokens: options.formTokens ?? false } } });
  fleet = await startFleet({ backOffice, scenario: primeCovid, applications: ['grh'] });
  // The campaign writes its rejection file next to its input: a copy in a folder of its own.
  inputDir = await mkdtemp(join(tmpdir(), 'proweb-grh-matrix-'));
  const file = join(inputDir, 'prime-covid-demo.csv');
  // The sample's own bytes (BOM, CRLF), lines kept as they are.
  const [header, ...lines] = (await readFile(SAMPLE, 'utf8')).split('\r\n').slice(0, DEMO.rows + 1);
  await writeFile(file, [header, ...CUT.kept.map((row) => lines[row - 1])].join('\r\n') + '\r\n');
  const grh = backOffice.apps.grh;
  // The seeded payroll items, Covid bonuses already entered included.
  const before = new Set([...grh.entriesByKey().values()].flat());
  return { backOffice, fleet, file, before, entries: () => grh.entriesByKey() };
}

/** The rows GRH refuses are rejected, the bonuses already entered done with their seeded reference. */
async function expectSampleRows(fleet: Fleet, campaignId: string): Promise<void> {
  const byRow = new Map((await entriesOf(fleet.ledger)).filter((e) => e.campaignId === campaignId).map((e) => [e.rowNumber, e]));
  for (const r of CUT.refusedRows) expect(byRow.get(r.rowNumber), `row ${r.rowNumber} (${r.refusal})`).toMatchObject({ status: 'rejected' });
  for (const r of CUT.alreadyEntered) expect(byRow.get(r.rowNumber), `row ${r.rowNumber} (already entered)`).toMatchObject({ status: 'done', reference: r.reference, alreadyEntered: true });
}

/** Runs the campaign on two workers with `faults` armed, and checks exactly once. */
async function campaignUnder(fault: string, faults: FaultSpec[], options: { formTokens?: boolean } = {}) {
  const { backOffice, fleet, file, before, entries } = await setUp(options);
  for (const f of faults) backOffice.faults.inject(f);
  const startedAt = Date.now();
  await Promise.all([fleet.startWorker('robot-a'), fleet.startWorker('robot-b')]);
  const submission = await fleet.submit(file);
  expect(submission).toMatchObject({ rows: CUT.rows, invalidRows: CUT.invalid });
  const { campaignId } = submission;
  await fleet.ended(campaignId, DOSSIERS);
  const outcome = await expectExactlyOnce(fleet, { fault, startedAt, campaignId, dossiers: DOSSIERS, scenario: primeCovid, entries, before });
  return Object.assign(outcome, { campaignId });
}

describe('exactly once in GRH under faults (2 worker processes, real Redis and Chromium)', () => {
  it('answers lost after GRH committed (a cut connection, an error page, an answer slower than the step timeout): each bonus found, never entered again', async () => {
    // The three kinds of lost answer in one campaign (the Progrès matrix takes them one by one,
    // with and without form tokens): each armed fault takes the next commit.
    const outcome = await campaignUnder('GRH: answers lost after commit (cut, HTTP 500, late)', [
      { on: 'commit', kind: 'drop-connection-after-commit', times: 1 },
      { on: 'commit', kind: 'http-500-after-commit', times: 1 },
      { on: 'commit', kind: 'delay', delayMs: 8_000, times: 1 },
    ]);
    expect(outcome).toMatchObject({ done: DOSSIERS - REFUSED, failed: 0, rejected: REFUSED });
    await expectSampleRows(fleet!, outcome.campaignId);
  }, 240_000);

  it('the session expired between filling and committing: outcome unknown, left to a person, never entered twice', async () => {
    const outcome = await campaignUnder('GRH: session expired before the commit', [{ on: 'commit', kind: 'expire-session', times: 2 }]);
    // The login page answered the commit: GRH may or may not have the bonus, so the robot waits
    // until that click can no longer land, looks, and leaves what it does not find to a person.
    // Every session of GRH expires, so a commit of another slot may meet the login page too.
    expect(outcome.failed).toBeGreaterThanOrEqual(2);
    expect(outcome).toMatchObject({ done: DOSSIERS - REFUSED - outcome.failed, rejected: REFUSED });
    const work = (await fleet!.ledger.campaignWorkList(outcome.campaignId)) ?? [];
    const failed = work.filter((e) => e.status === 'failed');
    expect(failed.map((e) => e.reason)).toEqual(Array(outcome.failed).fill(expect.stringMatching(/^outcome unknown: check grh for matricule \*\*\*/)));
    await expectSampleRows(fleet!, outcome.campaignId);
  }, 240_000);

  it('a worker frozen (SIGSTOP) past its lock after the guard, before the commit: it never clicks once it wakes', async () => {
    const { backOffice, fleet, file, before, entries } = await setUp();
    const startedAt = Date.now();
    const frozen = await fleet.startWorker('robot-frozen');
    let hits = 0;
    // The frozen worker asked for the entry form: its guard found no bonus, its commit is next.
    backOffice.faults.inject({ on: 'commit-form', kind: 'delay', delayMs: 300, onHit: () => { hits++; frozen.kill('SIGSTOP'); } });
    const { campaignId } = await fleet.submit(file);
    await eventually(async () => hits > 0, 'the first worker to reach an entry form');
    // The other machine takes its dossiers over once their lock has expired, and finishes the campaign.
    await fleet.startWorker('robot-b');
    await fleet.ended(campaignId, DOSSIERS);
    frozen.kill('SIGCONT');
    // Woken, the first worker fills the form it had asked for, and is refused the commit.
    await eventually(async () => (await fleet.logOf('robot-frozen')).some((l) => l.msg.startsWith('dossier taken over by another worker')), 'the woken worker to give the dossier up', 60_000);
    const outcome = await expectExactlyOnce(fleet, { fault: 'GRH: worker frozen past its lock before the commit', startedAt, campaignId, dossiers: DOSSIERS, scenario: primeCovid, entries, before });
    expect(outcome).toMatchObject({ done: DOSSIERS - REFUSED, failed: 0, rejected: REFUSED });
    await expectSampleRows(fleet, campaignId);
  }, 240_000);

  it('kill -9 of Redis mid-campaign (append-only file, fsync every second)', async () => {
    const { fleet, file, before, entries } = await setUp();
    const startedAt = Date.now();
    await Promise.all([fleet.startWorker('robot-a'), fleet.startWorker('robot-b')]);
    const { campaignId } = await fleet.submit(file);
    await fleet.ended(campaignId, 6);
    await fleet.crashRedis();
    await fleet.ended(campaignId, DOSSIERS);
    const outcome = await expectExactlyOnce(fleet, { fault: 'GRH: kill -9 of Redis', startedAt, campaignId, dossiers: DOSSIERS, scenario: primeCovid, entries, before });
    expect(outcome.rejected).toBe(REFUSED);
    await expectSampleRows(fleet, campaignId);
  }, 240_000);

  it('a refused login: one failed login for the robot whatever the dossiers, nothing entered, nothing failed', async () => {
    const { backOffice } = await setUp();
    const robot = await Robot.launch({ applications: { grh: { baseUrl: backOffice.url, username: DEFAULT_USER.username, password: 'not-the-password' } }, concurrency: 4 });
    try {
      const rows = [...(await validRows(primeCovidRow, SAMPLE)).values()].slice(0, 6);
      const results = await Promise.allSettled(rows.map((row, i) => robot.run(primeCovid, row, { dossierId: `refused-${i}` })));
      expect(results.map((r) => r.status === 'rejected' && r.reason instanceof LoginRefused)).toEqual(Array(6).fill(true));
      expect(backOffice.apps.grh.loginAttempts.filter((a) => !a.ok)).toHaveLength(1);
      expect(duplicatesIn(backOffice.apps.grh.entriesByKey())).toEqual([]);
    } finally {
      await robot.close();
    }
  });
});
