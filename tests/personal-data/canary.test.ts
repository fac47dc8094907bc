import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttp } from '../../core/http-listener.ts';
import { readCsvCell } from '../../core/csv.ts';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { formatDipaCsv } from '../../fixtures/data/dipa-csv.ts';
import { autonomisationDemoRows, formatAutonomisationCsv } from '../../fixtures/data/generate-autonomisation-sample.ts';
import { dipaDemoRows } from '../../fixtures/data/generate-dipa-sample.ts';
import { forfaitPsDemoRows, formatForfaitPsCsv } from '../../fixtures/data/generate-forfait-ps-sample.ts';
import { formatPrimeCovidCsv, primeCovidDemoRows } from '../../fixtures/data/generate-prime-covid-sample.ts';
import { formatPrnCsv, prnDemoRows } from '../../fixtures/data/generate-prn-sample.ts';
import { Ledger } from '../../gains/index.ts';
import { createDashboard } from '../../queue/dashboard/dashboard.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../queue/redis/embedded-redis.ts';
import { createRedis } from '../../queue/redis/redis-connection.ts';
import { runCli, startCli, type CliProcess } from '../support/cli.ts';
import { untilReached } from '../support/eventually.ts';
import { TEST_SECRET_TEXT } from '../support/secret.ts';
import { entriesOf } from '../support/ledger.ts';

/**
 * The canary run: every seed scenario runs through a real `proweb worker` on rows whose
 * personal data (NIRs, IBANs, names, addresses) are the canaries, driven through success,
 * refusal, screen changed, HTTP 500, lost connection and failed-for-good, with evidence kept
 * and a trace taken. Then everything that leaves the robot is searched for every canary:
 * the log file, the worker's and the commands' output, every key and value in Redis, the
 * ledger export, the work lists' own columns, the dashboard's API answers and the kept HTML.
 */

const PREFIX = 'canary';
const PASSWORD_ENV = 'BACKOFFICE_PASSWORD';
/** Each application the seed scenarios use, served by the mock back office. */
const APPLICATIONS = ['progres', 'ameli-pro', 'grh', 'ij', 'bdo'] as const;
/** A label of IJ's payment form only: the PRN dossiers that reach the form fail on a changed screen. */
const CHANGED_LABEL = { label: 'Salaire mois 1 (€)', becomes: 'Salaire du premier mois (€)' };

interface Campaign {
  scenario: string;
  file: string;
  rows: number;
  /** Input columns: the work list repeats them from the agent's file, by design. */
  columns: string[];
  id?: string;
}

let dir: string;
let redis: EmbeddedRedis;
let client: Redis;
let backOffice: BackOffice;
let worker: CliProcess;
let configFile: string;
let env: NodeJS.ProcessEnv;
const canaries = new Set<string>();
const campaigns: Campaign[] = [];
/** Output of the commands a user runs (enqueue, export, rejects, try): searched like the worker's. */
const commandOutputs: string[] = [];

/** Every way a canary could be written: as typed, without spaces, in groups, URL- or JSON-encoded. */
function variants(value: string): string[] {
  const compact = value.replace(/\s+/g, '');
  const out = new Set([value, compact, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  if (/^[A-Z]{2}\d{2}/.test(compact)) out.add(compact.replace(/(.{4})(?=.)/g, '$1 '));
  if (/^[12]\d{12}(\d{2})?$/.test(compact)) out.add(compact.replace(/^(\d)(\d{2})(\d{2})(\d{2})(\d{3})(\d{3})(\d{2})?$/, (_m, ...g: string[]) => g.slice(0, 7).filter(Boolean).join(' ')));
  return [...out].filter((v) => v.length >= 4);
}

/** The canaries found in a text, with where. */
function leaksIn(where: string, text: string): string[] {
  const lower = text.toLowerCase();
  const found: string[] = [];
  for (const canary of canaries) {
    for (const v of variants(canary)) {
      if (lower.includes(v.toLowerCase())) {
        const at = lower.indexOf(v.toLowerCase());
        found.push(`${where}: "${canary}" in …${text.slice(Math.max(0, at - 60), at + v.length + 60)}…`);
        break;
      }
    }
  }
  return found;
}

function addCanaries(...values: (string | undefined)[]): void {
  for (const v of values) if (v && v.trim().length >= 4) canaries.add(v.trim());
}

/** A name "DUPONT Marie" is personal whole and in its parts. */
function addName(name: string): void {
  addCanaries(name, ...name.split(/\s+/));
}

async function writeCampaign(scenario: string, csv: string, rows: number): Promise<void> {
  const file = join(dir, 'inbox', `${scenario}.csv`);
  await writeFile(file, csv);
  campaigns.push({ scenario, file, rows, columns: csv.replace(/^\uFEFF/, '').split(/\r?\n/)[0]!.split(';') });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proweb-canary-'));
  await mkdir(join(dir, 'inbox'));
  redis = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  client = createRedis(redis.connection);
  client.on('error', () => undefined);
  backOffice = await startBackOffice({ port: 0, screenChanges: [CHANGED_LABEL] });

  // DIPA: payments (some hit by the faults below), an unknown PS and a PS not conventioned (refusals).
  const dipa = dipaDemoRows();
  const dipaRows = [
    ...dipa.filter((r) => r.kind === 'payable').slice(0, 4),
    dipa.find((r) => r.kind === 'unknown-ps')!,
    dipa.find((r) => r.kind === 'not-conventioned')!,
  ].map((r) => r.row);
  for (const r of dipaRows) {
    addName(r.nom);
    addCanaries(r.iban);
  }
  await writeCampaign('dipa-payment', formatDipaCsv(dipaRows), dipaRows.length);

  // Forfait structure: no personal column in the file, but Progrès shows the professional's name and IBAN.
  const forfait = forfaitPsDemoRows();
  const forfaitRows = [...forfait.filter((r) => r.kind === 'payable').slice(0, 2), forfait.find((r) => r.kind === 'not-conventioned')!].map((r) => r.row);
  for (const r of forfaitRows) {
    const professional = backOffice.state.professionals.get(r.numero_ps);
    if (professional) {
      addName(`${professional.lastName} ${professional.firstName}`);
      addCanaries(professional.iban);
    }
  }
  await writeCampaign('forfait-ps', formatForfaitPsCsv(forfaitRows), forfaitRows.length);

  // Covid bonus: accepted, refused in GRH's words, already entered.
  const primes = primeCovidDemoRows();
  const primeRows = [
    ...primes.filter((r) => r.kind === 'accepted').slice(0, 2),
    ...primes.filter((r) => r.kind === 'refused').slice(0, 2),
    primes.find((r) => r.kind === 'already-entered')!,
  ].map((r) => r.row);
  for (const r of primeRows) {
    addName(r.nom);
    addCanaries(r.matricule);
  }
  await writeCampaign('prime-covid', formatPrimeCovidCsv(primeRows), primeRows.length);

  // PRN: an unknown NIR (refused), and stoppages that reach a changed screen (failed for good).
  const prn = prnDemoRows();
  const prnRows = [prn.find((r) => r.kind === 'unknown-nir')!, ...prn.filter((r) => r.kind === 'accepted').slice(0, 2)].map((r) => r.row);
  for (const r of prnRows) {
    addName(r.nom);
    addCanaries(r.nir);
  }
  await writeCampaign('prn-entry', formatPrnCsv(prnRows), prnRows.length);

  // Autonomisation: accepted, an insured the BDO does not know (its refusal quotes the NIR), a minor.
  const auto = autonomisationDemoRows();
  const autoRows = [
    ...auto.filter((r) => r.kind === 'accepted').slice(0, 2),
    auto.find((r) => r.kind === 'unknown-insured')!,
    auto.find((r) => r.kind === 'minor')!,
  ].map((r) => r.row);
  for (const r of autoRows) {
    addCanaries(r.nir_assure, r.nir_ayant_droit, r.adresse);
    addName(`${r.nom} ${r.prenom}`);
  }
  await writeCampaign('autonomisation-ayants-droit', formatAutonomisationCsv(autoRows), autoRows.length);

  configFile = join(dir, 'proweb.config.json');
  await writeFile(configFile, JSON.stringify({
    applications: Object.fromEntries(APPLICATIONS.map((id) => [id, { baseUrl: backOffice.url, username: DEFAULT_USER.username, passwordEnv: PASSWORD_ENV }])),
    stepTimeoutMs: 4_000,
    logLevel: 'debug',
    worker: { lockDurationMs: 8_000, stalledIntervalMs: 4_000, heartbeatMs: 1_000, gracePeriodMs: 0 },
  }));
  env = {
    REDIS_URL: redis.url, PROWEB_PREFIX: PREFIX, PROWEB_SECRET: TEST_SECRET_TEXT, PROWEB_DATA_DIR: join(dir, 'robot'),
    PROWEB_LOG_FILE: join(dir, 'robot.log'), [PASSWORD_ENV]: DEFAULT_USER.password,
  };
}, 60_000);

afterAll(async () => {
  if (worker) {
    worker.kill('SIGKILL');
    await worker.exited;
  }
  client?.disconnect();
  await backOffice?.close();
  await redis?.close();
  if (dir && !process.env.PROWEB_KEEP_TEST_FILES) await rm(dir, { recursive: true, force: true });
});

/** Every key of the deployment and every value under it, whatever its type. */
async function dumpRedis(): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      parts.push(`KEY ${key}`);
      const type = await client.type(key);
      switch (type) {
        case 'string': parts.push(String(await client.get(key))); break;
        case 'hash': parts.push(JSON.stringify(await client.hgetall(key))); break;
        case 'list': parts.push(JSON.stringify(await client.lrange(key, 0, -1))); break;
        case 'set': parts.push(JSON.stringify(await client.smembers(key))); break;
        case 'zset': parts.push(JSON.stringify(await client.zrange(key, '0', '-1', 'WITHSCORES'))); break;
        case 'stream': parts.push(JSON.stringify(await client.xrange(key, '-', '+'))); break;
        default: parts.push(`(type ${type})`);
      }
    }
  } while (cursor !== '0');
  return parts.join('\n');
}

/** Files under a folder, recursively. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('personal data never leaves a robot in clear (canary run of every seed scenario)', () => {
  it('has canaries the search finds: in the input files the agents own', async () => {
    // forfait-ps's file has PS numbers only: its canaries are what Progrès shows of the professionals.
    for (const campaign of campaigns.filter((c) => c.scenario !== 'forfait-ps')) {
      expect(leaksIn('input', await readFile(campaign.file, 'utf8')).length, campaign.scenario).toBeGreaterThan(0);
    }
    expect(leaksIn('masked', 'Refus : aucun assuré ne correspond au NIR 2 64 ** ** *** *** 84.')).toEqual([]);
  });

  it('runs every scenario through success, refusal, screen changed, HTTP 500, lost connection and failed for good', async () => {
    expect(canaries.size).toBeGreaterThan(30);
    // The faults hit whichever dossiers commit first: Progrès, GRH and the BDO alike.
    let faultsHit = 0;
    const onHit = () => void faultsHit++;
    backOffice.faults.inject({ on: 'commit', kind: 'http-500-after-commit', times: 2, onHit });
    backOffice.faults.inject({ on: 'commit', kind: 'drop-connection-after-commit', times: 2, onHit });
    backOffice.faults.inject({ on: 'commit-form', kind: 'http-500-before-commit', times: 2, onHit });

    worker = startCli(['worker', '--name', 'canary-robot', '--scenarios', campaigns.map((c) => c.scenario).join(','), '--concurrency', '2', '--config', configFile], env);
    await worker.waitFor(/ready/, 60_000);

    await Promise.all(campaigns.map(async (campaign) => {
      const run = await runCli(['enqueue', campaign.scenario, '--input', campaign.file, '--caisse', 'CPAM Lille-Douai', '--config', configFile], { env });
      commandOutputs.push(run.stdout, run.stderr);
      expect(run.code, run.stderr).toBe(0);
      campaign.id = run.stdout.trim().split('\n').at(-1)!.trim();
    }));
    const ledger = new Ledger(client, { prefix: PREFIX });
    const total = campaigns.reduce((n, c) => n + c.rows, 0);
    await untilReached(async () => {
      let ended = 0;
      for (const c of campaigns) {
        const counts = await ledger.campaignCounts(c.id!);
        ended += counts.done + counts.rejected + counts.failed;
      }
      return ended;
    }, total, 'canary dossiers ended');

    const byStatus = { done: 0, rejected: 0, failed: 0 };
    for (const c of campaigns) {
      const counts = await ledger.campaignCounts(c.id!);
      byStatus.done += counts.done;
      byStatus.rejected += counts.rejected;
      byStatus.failed += counts.failed;
    }
    // Every path ran: payments done, refusals, and the PRN stoppages failed for good on the changed screen.
    expect(byStatus.done).toBeGreaterThanOrEqual(6);
    expect(byStatus.rejected).toBeGreaterThanOrEqual(6);
    expect((await ledger.campaignCounts(campaigns.find((c) => c.scenario === 'prn-entry')!.id!)).failed).toBe(2);
    expect(faultsHit, 'every armed fault hit a dossier').toBe(6);
    for (const e of await entriesOf(ledger)) console.info(`canary | ${e.scenarioId} | row ${e.rowNumber} | ${e.status} | ${e.reason ?? e.reference ?? ''}`);
    const kept = await filesUnder(join(dir, 'robot'));
    expect(kept.filter((f) => f.endsWith('.html')).length, 'evidence kept for the failures').toBeGreaterThan(0);
    expect(kept.filter((f) => f.endsWith('.png')).length).toBeGreaterThan(0);

    // An author's trace of one dossier: taken, and said to hold personal data.
    const dipa = campaigns.find((c) => c.scenario === 'dipa-payment')!;
    const trial = await runCli(['try', 'dipa-payment', '--input', dipa.file, '--row', '2', '--dry-run', '--trace', '--config', configFile], { env });
    expect(trial.code, trial.stderr).toBe(0);
    expect(trial.stdout).toMatch(/personal data/i);
    expect((await filesUnder(join(dir, 'robot', 'traces'))).some((f) => f.endsWith('.zip'))).toBe(true);
  }, 300_000);

  it('finds no canary in the log file, the worker output or the commands\' output', async () => {
    const log = await readFile(join(dir, 'robot.log'), 'utf8');
    expect(log.length).toBeGreaterThan(1_000);
    expect([
      ...leaksIn('log file', log),
      ...leaksIn('worker stdout', worker.stdout()),
      ...leaksIn('worker stderr', worker.stderr()),
      ...commandOutputs.flatMap((o) => leaksIn('command output', o)),
    ]).toEqual([]);
  });

  it('finds no canary in any key or value in Redis', async () => {
    const dump = await dumpRedis();
    expect(dump).toContain(`${PREFIX}:`);
    expect(leaksIn('redis', dump)).toEqual([]);
  });

  it('finds no canary in the ledger export', async () => {
    await Promise.all((['csv', 'jsonl'] as const).map(async (format) => {
      const out = join(dir, `ledger.${format}`);
      const run = await runCli(['ledger', 'export', '--format', format, '--out', out, '--config', configFile], { env });
      commandOutputs.push(run.stdout, run.stderr);
      expect(run.code, run.stderr).toBe(0);
      const text = await readFile(out, 'utf8');
      expect(text).toMatch(/rejected/);
      expect(leaksIn(`ledger export ${format}`, text)).toEqual([]);
    }));
  });

  it('finds no canary in the work lists but in the input columns, read from the agent\'s own file', async () => {
    await Promise.all(campaigns.map(async (campaign) => {
      const out = join(dir, `work-list-${campaign.scenario}.csv`);
      const run = await runCli(['campaign', 'rejects', campaign.id!, '--out', out, '--config', configFile], { env });
      expect(run.code, run.stderr).toBe(0);
      commandOutputs.push(run.stdout, run.stderr);
      const [header, ...lines] = (await readFile(out, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
      const columns = header!.split(';');
      const own = columns.map((c, i) => (campaign.columns.includes(c) ? -1 : i)).filter((i) => i >= 0);
      expect(own.length).toBeGreaterThan(2);
      for (const line of lines) {
        // Simple split: the cells the test's rows produce hold no ';' nor quotes.
        const cells = line.split(';').map((c) => readCsvCell(c.replace(/^"|"$/g, '')));
        expect(leaksIn(`work list ${campaign.scenario}`, own.map((i) => cells[i] ?? '').join(' | '))).toEqual([]);
      }
    }));
  });

  it('finds no canary in the dashboard\'s API answers (jobs, their data, results, failures and logs)', async () => {
    const credentials = { username: 'supervision', password: 'canary dashboard password' };
    const auth = { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` };
    const dashboard = createDashboard({ connection: redis.connection, prefix: PREFIX, credentials });
    const listener = await listenHttp(dashboard.app.fetch, { host: '127.0.0.1', port: 0 });
    try {
      const answers: string[] = [];
      for (const campaign of campaigns) {
        for (const status of ['completed', 'failed', 'delayed', 'waiting', 'active']) {
          const response = await fetch(`${listener.url}/api/queues?activeQueue=${campaign.scenario}&status=${status}&page=1&jobsPerPage=100`, { headers: auth });
          expect(response.status).toBe(200);
          const body = await response.text();
          answers.push(body);
          const queue = (JSON.parse(body) as { queues: { name: string; jobs: { id: string }[] }[] }).queues.find((q) => q.name === campaign.scenario);
          for (const job of queue?.jobs ?? []) {
            for (const path of [`/api/queues/${campaign.scenario}/${encodeURIComponent(job.id)}`, `/api/queues/${campaign.scenario}/${encodeURIComponent(job.id)}/logs`]) {
              const answer = await fetch(`${listener.url}${path}`, { headers: auth });
              answers.push(await answer.text());
            }
          }
        }
      }
      const all = answers.join('\n');
      expect(all).toMatch(/failedReason/);
      expect(leaksIn('dashboard API', all)).toEqual([]);
    } finally {
      await listener.close();
      await dashboard.close();
    }
  });

  it('finds no canary in the kept HTML of the failures', async () => {
    const pages = (await filesUnder(join(dir, 'robot'))).filter((f) => f.endsWith('.html'));
    expect(pages.length).toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const page of pages) leaks.push(...leaksIn(`kept page ${page}`, await readFile(page, 'utf8')));
    expect(leaks).toEqual([]);
  });
});
