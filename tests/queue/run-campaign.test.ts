import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { DEFAULT_USER } from '../../fixtures/backoffice/index.ts';
import { Ledger } from '../../gains/index.ts';
import { ApplicationPaused, ApplicationPauses } from '../../queue/fleet/application-pauses.ts';
import { queueNameFor } from '../../queue/queue-options.ts';
import { Robot } from '../../runner/index.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';
import { dipaFile, requestRows } from '../support/dipa.ts';
import { useE2e } from '../support/e2e.ts';
import { samplePath } from '../support/files.ts';
import { entriesOf } from '../support/ledger.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';

const DIPA_50 = samplePath('dipa-50.csv');

const e2e = useE2e({ robot: { concurrency: 4 } });

/** A campaign on a fresh key prefix (a fresh deployment) unless one is given. */
const run = (file: string, prefix?: string, dryRun = false) => e2e.campaign(dipaPayment, file, { prefix, dryRun });

describe('a DIPA campaign on one machine (real Redis, Chromium and HTTP)', () => {
  it('enters each of 50 payments exactly once and records 50 dossiers in the ledger', async () => {
    const { ledger, result } = run(DIPA_50);
    const { submission, finished } = await result;
    expect(submission).toMatchObject({ rows: 50, invalidRows: 0, alreadyDone: 0 });
    expect(finished.map((f) => f.status)).toEqual(Array(50).fill('done'));
    const payments = e2e.backOffice.state.payments;
    expect(payments).toHaveLength(50);
    expect(duplicatesIn(e2e.backOffice.state.entriesByKey())).toEqual([]);
    expect(entryCount(e2e.backOffice.state.entriesByKey())).toBe(50);
    const entries = await entriesOf(ledger);
    expect(entries).toHaveLength(50);
    expect(entries.every((e) => e.status === 'done' && e.manualMinutesSaved === dipaPayment.manualMinutes)).toBe(true);
    expect(new Set(entries.map((e) => e.reference))).toEqual(new Set(payments.map((p) => p.reference)));
  });

  it('enters nothing and records nothing when the same file is submitted again', async () => {
    const file = await dipaFile('again.csv', requestRows(e2e.backOffice, (p) => p.conventioned, 6));
    const prefix = e2e.redis.prefix();
    const first = await run(file, prefix).result;
    expect(first.finished.filter((f) => f.status === 'done')).toHaveLength(6);
    const { ledger, result } = run(file, prefix);
    const second = await result;
    expect(second.submission).toMatchObject({ rows: 6, alreadyDone: 6, jobIds: [] });
    expect(duplicatesIn(e2e.backOffice.state.entriesByKey())).toEqual([]);
    expect(entryCount(e2e.backOffice.state.entriesByKey())).toBe(6);
    expect(await entriesOf(ledger)).toHaveLength(6);
  });

  it('ends a dossier the back office refuses as rejected, with the back office’s reason, and does not retry it', async () => {
    const [refused] = requestRows(e2e.backOffice, (p) => !p.conventioned, 1);
    const file = await dipaFile('refused.csv', [refused!, ...requestRows(e2e.backOffice, (p) => p.conventioned, 2)]);
    const { ledger, result } = run(file);
    const { finished } = await result;
    const rejected = finished.filter((f) => f.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ rowNumber: 2, reason: expect.stringContaining("n'est pas conventionné") });
    const entry = (await entriesOf(ledger)).find((e) => e.status === 'rejected');
    expect(entry).toMatchObject({ attempts: 1, manualMinutesSaved: 0, reason: expect.stringContaining('conventionné') });
    expect(e2e.backOffice.state.payments).toHaveLength(2);
  });

  it('reports invalid rows with file, row and field, and runs the rest', async () => {
    const rows = requestRows(e2e.backOffice, (p) => p.conventioned, 3);
    rows[1] = { ...rows[1]!, aide_calculee: 'douze' };
    const { result } = run(await dipaFile('bad.csv', rows));
    const { submission, finished } = await result;
    expect(submission.invalid).toEqual([{ file: 'bad.csv', rowNumber: 3, field: 'aide_calculee', reason: '"douze" is not a positive amount in euros' }]);
    expect(finished.map((f) => f.rowNumber)).toEqual([2, 4]);
    expect(e2e.backOffice.state.payments).toHaveLength(2);
  });

  it('never pays twice when the back office fails after committing: the retry finds the payment', async () => {
    // One answer lost after Progrès committed, and one error page before any commit (the form).
    e2e.backOffice.faults.inject({ on: 'commit', kind: 'http-500-after-commit', times: 1 });
    e2e.backOffice.faults.inject({ on: 'commit-form', kind: 'http-500-before-commit', times: 1 });
    const { ledger, result } = run(await dipaFile('faults.csv', requestRows(e2e.backOffice, (p) => p.conventioned, 4)));
    const { finished } = await result;
    expect(finished.map((f) => f.status)).toEqual(['done', 'done', 'done', 'done']);
    // Progrès takes a second payment: only the robot's guard can keep the crashed one single.
    expect(duplicatesIn(e2e.backOffice.state.entriesByKey())).toEqual([]);
    expect(entryCount(e2e.backOffice.state.entriesByKey())).toBe(4);
    const entries = await entriesOf(ledger);
    expect(entries).toHaveLength(4);
    expect(entries.filter((e) => e.alreadyEntered)).toHaveLength(1);
    expect(entries.filter((e) => e.attempts === 2)).toHaveLength(2);
  });

  it('in a dry run goes through every step but the commit: nothing entered, nothing recorded, and the real run still does it all', async () => {
    const file = await dipaFile('essai.csv', requestRows(e2e.backOffice, (p) => p.conventioned, 3));
    const prefix = e2e.redis.prefix();
    const dry = run(file, prefix, true);
    const { finished } = await dry.result;
    expect(finished.map((f) => `${f.status} ${f.reference}`)).toEqual(Array(3).fill('done (dry run)'));
    expect(e2e.backOffice.state.payments).toHaveLength(0);
    expect(await entriesOf(dry.ledger)).toHaveLength(0);
    const real = await run(file, prefix).result;
    expect(real.submission.jobIds).toHaveLength(3);
    expect(e2e.backOffice.state.payments).toHaveLength(3);
  });
});

describe('a campaign on one machine whose login Progrès refuses', () => {
  it('stops after one failed login with every dossier still queued, none failed, and does not start again until resumed', async () => {
    const wrong = await Robot.launch({ applications: { progres: { baseUrl: e2e.backOffice.url, username: DEFAULT_USER.username, password: 'not-the-password' } }, concurrency: 4 });
    try {
      const prefix = e2e.redis.prefix();
      const ledger = new Ledger(e2e.redis.client, { prefix });
      const applicationPauses = new ApplicationPauses(e2e.redis.client, { prefix });
      const file = await dipaFile('refused.csv', requestRows(e2e.backOffice, (p) => p.conventioned, 6));
      const attempt = () => e2e.campaign(dipaPayment, file, { prefix, robot: wrong, applicationPauses }).result;

      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApplicationPaused);
      expect((error as Error).message).toMatch(/^progres is paused since .*: login refused for robot\.dipa on test-robot \(Identifiant ou mot de passe incorrect\.\)/);
      expect((error as ApplicationPaused).hint).toContain('proweb application resume progres');
      expect(e2e.backOffice.state.loginAttempts.filter((a) => !a.ok)).toHaveLength(1);
      expect(await entriesOf(ledger)).toEqual([]);
      const queue = new Queue(queueNameFor(dipaPayment.id), { connection: e2e.redis.server.connection, prefix });
      const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'failed');
      await queue.close();
      expect((counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0)).toBe(6);
      expect(counts.failed).toBe(0);

      // Run again before anyone fixed it: refused at once, no login tried.
      await expect(attempt()).rejects.toBeInstanceOf(ApplicationPaused);
      expect(e2e.backOffice.state.loginAttempts).toHaveLength(1);
    } finally {
      await wrong.close();
    }
  });
});
