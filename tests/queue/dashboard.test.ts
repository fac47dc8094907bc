import { request as httpRequest } from 'node:http';
import { Queue, Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { listenHttp } from '../../core/http-listener.ts';
import { createDashboard, DashboardOptionsError, scenarioQueueNames, VISIBLE_JOB_FIELDS, type DashboardOptions } from '../../queue/dashboard/dashboard.ts';
import { sealJobPayload, type JobFields } from '../../queue/campaigns/job-payload.ts';
import { queueNameFor } from '../../queue/queue-options.ts';
import { launchBrowser } from '../../runner/browser.ts';
import { catalogue } from '../../scenarios/catalogue.ts';
import { dipaLines } from '../support/dipa-sample.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';
import { testSecret } from '../support/secret.ts';

const CREDENTIALS = { username: 'supervision', password: 'correct horse battery staple' };
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const AUTH = { authorization: basic(CREDENTIALS.username, CREDENTIALS.password) };
const SCENARIO_QUEUES = [...catalogue.keys()].map(queueNameFor);

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.close();
});

/** A dashboard on a real socket, over a fresh key prefix; closed when the test ends. */
async function startBoard(options: Partial<DashboardOptions> = {}) {
  const prefix = options.prefix ?? redis.prefix();
  const dashboard = createDashboard({ connection: redis.server.connection, prefix, credentials: CREDENTIALS, ...options });
  const listener = await listenHttp(dashboard.app.fetch, { host: '127.0.0.1', port: 0 });
  onTestFinished(async () => {
    await listener.close();
    await dashboard.close();
  });
  return { dashboard, url: listener.url, prefix };
}

/** A real BullMQ queue of the deployment, as `proweb run` fills it. */
function producer(name: string, prefix: string): Queue {
  const queue = new Queue(name, { connection: redis.server.connection, prefix });
  onTestFinished(() => queue.close());
  return queue;
}

type ApiQueue = { name: string; description?: string; counts: Record<string, number>; jobs: { id: string; name: string }[] };
async function apiQueues(url: string, query = ''): Promise<ApiQueue[]> {
  const response = await fetch(`${url}/api/queues${query}`, { headers: AUTH });
  expect(response.status).toBe(200);
  return ((await response.json()) as { queues: ApiQueue[] }).queues;
}

/** A GET from a chosen loopback address (fetch cannot choose one): what a second client sends. */
function get(url: string, headers: Record<string, string>, localAddress: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers, localAddress }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the queue dashboard (bull-board, real Redis and HTTP)', () => {
  it('refuses anonymous access to the page, the API, the assets and unknown paths, with a Basic challenge', async () => {
    const { url } = await startBoard();
    for (const path of ['/', '/queue/dipa-payment', '/api/queues', '/api/redis/stats', '/static/images/logo.svg', '/no/such/page']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate'), path).toBe('Basic realm="proweb dashboard"');
      const body = await response.text();
      expect(body, path).not.toContain('dipa-payment');
      expect(body, path).toMatch(/Authentication required/);
    }
  });

  it('refuses a wrong password, a wrong user name, and a malformed Authorization header', async () => {
    const { url } = await startBoard({ loginThrottle: { maxFailures: 100 } });
    for (const authorization of [
      basic(CREDENTIALS.username, 'wrong'),
      basic(CREDENTIALS.username, `${CREDENTIALS.password} `),
      basic('someone', CREDENTIALS.password),
      basic('', ''),
      `Bearer ${CREDENTIALS.password}`,
      'Basic not-base64!',
    ]) {
      for (const path of ['/', '/api/queues']) {
        const response = await fetch(`${url}${path}`, { headers: { authorization } });
        expect(response.status, `${authorization} ${path}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      }
    }
  });

  it('lists every scenario queue, titled, then the extra ones, with the job counts BullMQ holds', async () => {
    const { url, prefix, dashboard } = await startBoard({ extraQueueNames: ['file-drops', 'dipa-payment'] });
    expect(dashboard.queueNames).toEqual([...SCENARIO_QUEUES, 'file-drops']);

    const dipa = producer('dipa-payment', prefix);
    await dipa.addBulk([1, 2, 3].map((n) => ({ name: `dipa-payment.d${n}`, data: { rowNumber: n + 1 }, opts: { jobId: `dipa-payment.d${n}` } })));
    await dipa.add('dipa-payment.later', { rowNumber: 9 }, { jobId: 'dipa-payment.later', delay: 3_600_000 });
    await producer('file-drops', prefix).add('drop', { file: 'in.csv' });
    // Same queue name under another deployment's prefix: not this dashboard's business.
    await producer('dipa-payment', redis.prefix()).add('elsewhere', {});

    const queues = await apiQueues(url);
    expect(queues.map((q) => q.name)).toEqual([...SCENARIO_QUEUES, 'file-drops']);
    const byName = new Map(queues.map((q) => [q.name, q]));
    expect(byName.get('dipa-payment')).toMatchObject({ description: catalogue.get('dipa-payment')!.title, counts: { waiting: 3, delayed: 1, failed: 0, completed: 0, active: 0 } });
    expect(byName.get('file-drops')!.counts).toMatchObject({ waiting: 1 });
    for (const name of SCENARIO_QUEUES.filter((n) => n !== 'dipa-payment')) {
      expect(Object.values(byName.get(name)!.counts).reduce((a, b) => a + b, 0), name).toBe(0);
    }
    const waiting = await apiQueues(url, '?activeQueue=dipa-payment&status=waiting&page=1&jobsPerPage=10');
    expect(waiting.find((q) => q.name === 'dipa-payment')!.jobs.map((j) => j.id).sort()).toEqual(['dipa-payment.d1', 'dipa-payment.d2', 'dipa-payment.d3']);
  });

  it('shows the fields of a job that say where it comes from, nothing else: not its row, sealed or not, nor its file', async () => {
    const { url, prefix } = await startBoard({ secret: testSecret });
    const raw = { nir: '1850759012345 67', nom: 'DUPONT Jeanne', iban: 'FR7630006000011234567890189' };
    const fields = { campaignId: 'c1', scenarioId: 'prn-entry', scenarioVersion: '1', caisse: 'CPAM du Rhône', file: '/partage/DUPONT-Jeanne.csv', rowNumber: 7, dossierId: 'd1' };
    await producer('prn-entry', prefix).add('prn-entry.d1', sealJobPayload(fields, raw, testSecret), { jobId: 'prn-entry.d1' });
    // A job written by hand into Redis, its row in clear.
    await producer('prn-entry', prefix).add('prn-entry.d2', { ...fields, rowNumber: 8, dossierId: 'd2', raw }, { jobId: 'prn-entry.d2' });
    const response = await fetch(`${url}/api/queues?activeQueue=prn-entry&status=waiting&page=1&jobsPerPage=10`, { headers: AUTH });
    const body = await response.text();
    for (const value of [...Object.values(raw), 'DUPONT', 'sealedRow', 'partage']) expect(body).not.toContain(value);
    const jobs = (JSON.parse(body) as { queues: { name: string; jobs: { id: string; data: unknown }[] }[] }).queues.find((q) => q.name === 'prn-entry')!.jobs;
    expect(Object.fromEntries(jobs.map((j) => [j.id, j.data]))).toEqual({
      'prn-entry.d1': { campaignId: 'c1', scenarioId: 'prn-entry', scenarioVersion: '1', caisse: 'CPAM du Rhône', rowNumber: 7, dossierId: 'd1' },
      'prn-entry.d2': { campaignId: 'c1', scenarioId: 'prn-entry', scenarioVersion: '1', caisse: 'CPAM du Rhône', rowNumber: 8, dossierId: 'd2' },
    });
    expect(VISIBLE_JOB_FIELDS).toEqual(['campaignId', 'scenarioId', 'scenarioVersion', 'caisse', 'rowNumber', 'dossierId', 'dryRun']);
  });

  it('masks the NIR, IBAN and name a failed reason, a stack, a return value, a progress and the logs carry, in every API answer', async () => {
    const { url, prefix } = await startBoard({ secret: testSecret });
    const line = (await dipaLines())[0]!.split(';');
    const columns = ['numero_demande', 'numero_ps', 'nom', 'categorie', 'debut_periode', 'fin_periode', 'aide_calculee', 'iban'];
    const raw = Object.fromEntries(columns.map((c, i) => [c, line[i]!]));
    const name = raw.nom!; // MATHIEU Guillaume: no pattern finds a name, only the dossier's own row
    const nir = '1 85 07 59 012 345 67';
    const iban = raw.iban!;
    const canaries = [name, ...name.split(' '), nir, nir.replace(/ /g, ''), iban, iban.slice(4)];
    const words = `${name}, NIR ${nir}, IBAN ${iban}, page https://bdo.local/assure/${nir.replace(/ /g, '')}`;
    const fields = (n: number): JobFields => ({ campaignId: 'c1', scenarioId: 'dipa-payment', scenarioVersion: '1', caisse: 'CPAM du Rhône', file: '/partage/dipa.csv', rowNumber: n, dossierId: `d${n}` });
    const queue = producer('dipa-payment', prefix);
    const worker = new Worker('dipa-payment', async (job: Job) => {
      await job.log(`step open: ${words}`);
      await job.updateProgress({ at: words });
      if (job.data.rowNumber === 2) throw new Error(`Progrès answered 500 for ${words}`);
      return { status: 'rejected', reason: `Refus : ${words}` };
    }, { connection: redis.server.connection, prefix });
    onTestFinished(() => worker.close());
    const ended = new Promise<void>((resolve) => {
      let count = 0;
      const one = () => ++count === 2 && resolve();
      worker.on('failed', one);
      worker.on('completed', one);
    });
    await queue.add('dipa-payment.d2', sealJobPayload(fields(2), raw, testSecret), { jobId: 'dipa-payment.d2' });
    await queue.add('dipa-payment.d3', sealJobPayload(fields(3), raw, testSecret), { jobId: 'dipa-payment.d3' });
    await ended;
    // The texts are in Redis in clear (this test's worker masks nothing): only the dashboard stands between.
    expect((await queue.getJob('dipa-payment.d2'))!.failedReason).toContain(name);

    const answers: Record<string, string> = {};
    for (const path of [
      '/api/queues', '/api/queues?activeQueue=dipa-payment&status=failed&page=1&jobsPerPage=10',
      '/api/queues?activeQueue=dipa-payment&status=completed&page=1&jobsPerPage=10', '/api/queues?activeQueue=dipa-payment&status=latest&page=1&jobsPerPage=10',
      '/api/queues/dipa-payment/dipa-payment.d2', '/api/queues/dipa-payment/dipa-payment.d3',
      '/api/queues/dipa-payment/dipa-payment.d2/logs', '/api/queues/dipa-payment/dipa-payment.d3/logs',
      '/api/queues/dipa-payment/dipa-payment.d2/flow', '/api/job-schedulers', '/api/redis/stats',
    ]) {
      const response = await fetch(`${url}${path}`, { headers: AUTH });
      expect(response.status, path).toBe(200);
      answers[path] = await response.text();
      for (const canary of canaries) expect(answers[path], `${path} holds "${canary}"`).not.toContain(canary);
    }
    // Masked, not dropped: an operator still sees what went wrong.
    const failed = JSON.parse(answers['/api/queues/dipa-payment/dipa-payment.d2']!).job;
    expect(failed.failedReason).toBe('Progrès answered 500 for ***, NIR 1 85 ** ** *** *** 67, IBAN FR03 **** **76, page https://bdo.local/assure/1 85 ** ** *** *** 67');
    expect(failed.stacktrace.join('\n')).toContain('Progrès answered 500 for ***, NIR 1 85 ** ** *** *** 67');
    expect(JSON.parse(answers['/api/queues/dipa-payment/dipa-payment.d3']!).job.returnValue).toEqual({ status: 'rejected', reason: 'Refus : ***, NIR 1 85 ** ** *** *** 67, IBAN FR03 **** **76, page https://bdo.local/assure/1 85 ** ** *** *** 67' });
    expect(JSON.parse(answers['/api/queues/dipa-payment/dipa-payment.d3/logs']!)).toEqual(['step open: ***, NIR 1 85 ** ** *** *** 67, IBAN FR03 **** **76, page https://bdo.local/assure/1 85 ** ** *** *** 67']);
  });

  it('masks the patterns even when the row cannot be opened (no secret, or the dossier ended)', async () => {
    const { url, prefix } = await startBoard();
    const queue = producer('autonomisation-ayants-droit', prefix);
    const worker = new Worker('autonomisation-ayants-droit', async () => {
      throw new Error('navigation to https://bdo.local/assure/185075901234567 failed; IBAN FR7630006000011234567890189, jeanne.dupont@example.fr, 06 12 34 56 78');
    }, { connection: redis.server.connection, prefix });
    onTestFinished(() => worker.close());
    const failed = new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    await queue.add('autonomisation-ayants-droit.x', { rowNumber: 2 }, { jobId: 'autonomisation-ayants-droit.x' });
    await failed;
    const body = await (await fetch(`${url}/api/queues?activeQueue=autonomisation-ayants-droit&status=failed&page=1&jobsPerPage=10`, { headers: AUTH })).text();
    for (const canary of ['185075901234567', 'FR7630006000011234567890189', 'jeanne.dupont', '06 12 34 56 78']) expect(body).not.toContain(canary);
    expect(body).toContain('1 85 ** ** *** *** 67');
  });

  it('is read-only by default: every write is refused and changes nothing', async () => {
    const { url, prefix, dashboard } = await startBoard();
    expect(dashboard.writable).toBe(false);
    const queue = producer('prime-covid', prefix);
    const worker = new Worker('prime-covid', async () => {
      throw new Error('Progrès did not answer');
    }, { connection: redis.server.connection, prefix });
    onTestFinished(() => worker.close());
    const failed = new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    await queue.add('prime-covid.x', { rowNumber: 2 }, { jobId: 'prime-covid.x' });
    await failed;
    await worker.close();
    await queue.add('prime-covid.y', { rowNumber: 3 }, { jobId: 'prime-covid.y', delay: 3_600_000 });
    const before = await queue.getJobCounts();

    const json = { ...AUTH, 'content-type': 'application/json' };
    for (const [method, path, body] of [
      ['PUT', '/api/queues/prime-covid/retry/failed', '{}'],
      ['PUT', '/api/queues/prime-covid/prime-covid.x/retry', '{}'],
      ['PUT', '/api/queues/prime-covid/prime-covid.x/clean', '{}'],
      ['PUT', '/api/queues/prime-covid/clean/failed', '{}'],
      ['PUT', '/api/queues/prime-covid/promote', '{}'],
      ['PUT', '/api/queues/prime-covid/empty', '{}'],
      ['PUT', '/api/queues/prime-covid/obliterate', '{}'],
      ['PUT', '/api/queues/prime-covid/pause', '{}'],
      ['PUT', '/api/queues/pause', '{}'],
      ['POST', '/api/queues/prime-covid/add', JSON.stringify({ name: 'forged', data: { rowNumber: 9 } })],
      ['PATCH', '/api/queues/prime-covid/prime-covid.y/update-data', JSON.stringify({ data: { rowNumber: 99 } })],
      ['PUT', '/api/queues/prime-covid/concurrency', JSON.stringify({ concurrency: 1 })],
      ['DELETE', '/api/queues/prime-covid', '{}'],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method, headers: json, body });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'the dashboard is read-only' });
    }
    expect(await queue.getJobCounts()).toEqual(before);
    expect(await queue.isPaused()).toBe(false);
    expect((await queue.getJob('prime-covid.y'))!.data).toEqual({ rowNumber: 3 });
    // bull-board is told too: its page offers no button that would only be refused.
    const queues = (await (await fetch(`${url}/api/queues`, { headers: AUTH })).json()) as { queues: { name: string; readOnlyMode: boolean; allowRetries: boolean }[] };
    expect(queues.queues.find((q) => q.name === 'prime-covid')).toMatchObject({ readOnlyMode: true, allowRetries: false });
  });

  it('writable, lets an operator retry failed jobs, refuses the same request sent by another site, and never adds or edits jobs', async () => {
    const { url, prefix } = await startBoard({ writable: true });
    const queue = producer('prime-covid', prefix);
    const worker = new Worker('prime-covid', async () => {
      throw new Error('Progrès did not answer');
    }, { connection: redis.server.connection, prefix });
    onTestFinished(() => worker.close());
    const failed = new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    await queue.add('prime-covid.x', { rowNumber: 2 }, { jobId: 'prime-covid.x' });
    await failed;
    // Stopped before the retry, so the job stays where the retry puts it.
    await worker.close();

    // A page of another site can send a form or text/plain body without a CORS preflight.
    const forged = await fetch(`${url}/api/queues/prime-covid/retry/failed`, { method: 'PUT', headers: { ...AUTH, origin: 'http://evil.example', 'content-type': 'text/plain' }, body: '{}' });
    expect(forged.status).toBe(403);
    expect(await queue.getJobCounts('failed', 'waiting')).toEqual({ failed: 1, waiting: 0 });

    const json = { ...AUTH, 'content-type': 'application/json' };
    for (const [method, path, body] of [
      ['POST', '/api/queues/prime-covid/add', JSON.stringify({ name: 'forged', data: { rowNumber: 9 } })],
      ['PATCH', '/api/queues/prime-covid/prime-covid.x/update-data', JSON.stringify({ data: { rowNumber: 99 } })],
      ['PUT', '/api/queues/prime-covid/empty', '{}'],
      ['PUT', '/api/queues/prime-covid/obliterate', '{}'],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method, headers: json, body });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'not allowed from the dashboard' });
    }
    expect((await queue.getJob('prime-covid.x'))!.data).toEqual({ rowNumber: 2 });

    const retry = await fetch(`${url}/api/queues/prime-covid/retry/failed`, { method: 'PUT', headers: json, body: '{}' });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ retried: 1, skipped: 0 });
    expect(await queue.getJobCounts('failed', 'waiting')).toEqual({ failed: 0, waiting: 1 });
    const removed = await fetch(`${url}/api/queues/prime-covid/prime-covid.x/clean`, { method: 'PUT', headers: json, body: '{}' });
    expect(removed.status).toBe(204);
    expect(await queue.getJob('prime-covid.x')).toBeUndefined();
  });

  it('slows failed logins down per client: 429 with a growing Retry-After, credentials not even looked at; a success resets', async () => {
    let now = Date.parse('2026-12-03T09:00:00Z');
    const { url } = await startBoard({ loginThrottle: { maxFailures: 3, windowMs: 60_000, baseDelayMs: 2000, maxDelayMs: 60_000, now: () => now } });
    const wrong = { authorization: basic(CREDENTIALS.username, 'guess') };
    const ask = (headers: Record<string, string>, localAddress = '127.0.0.1') => get(`${url}/api/queues`, headers, localAddress);

    expect((await ask(wrong)).status).toBe(401);
    expect((await ask(wrong)).status).toBe(401);
    expect((await ask(wrong)).status).toBe(401); // the third: from now on this client waits
    const locked = await ask(AUTH);
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe('2');
    expect(locked.body).toMatch(/Too many failed logins/);
    expect((await ask(wrong)).status).toBe(429);
    // Another client (another loopback address) is not held back by this one.
    expect((await ask(AUTH, '127.0.0.2')).status).toBe(200);

    now += 2001;
    expect((await ask(wrong)).status).toBe(401); // one more failure after the wait: twice as long
    const longer = await ask(AUTH);
    expect(longer.status).toBe(429);
    expect(longer.headers['retry-after']).toBe('4');

    now += 4001;
    expect((await ask(AUTH)).status).toBe(200); // a success forgets the failures
    expect((await ask(wrong)).status).toBe(401);
    expect((await ask(wrong)).status).toBe(401);
    expect((await ask(AUTH)).status).toBe(200);
  });

  it('serves the UI page, whose assets load with the credentials and only with them', async () => {
    const { url } = await startBoard();
    const page = await fetch(`${url}/`, { headers: AUTH });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // Same-origin only: no third party learns when the queues are looked at.
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await page.text();
    expect(html).toContain('<base href="/" />');
    expect(html).toContain('<title>proweb</title>');
    const assets = [...html.matchAll(/(?:src|href)="(static\/(?:js|css)\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.filter((a) => a.endsWith('.js')).length).toBeGreaterThan(0);
    expect(assets.filter((a) => a.endsWith('.css')).length).toBeGreaterThan(0);
    for (const asset of assets) {
      const withAuth = await fetch(`${url}/${asset}`, { headers: AUTH });
      expect(withAuth.status, asset).toBe(200);
      expect(withAuth.headers.get('content-type'), asset).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
      expect((await withAuth.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
      expect((await fetch(`${url}/${asset}`)).status, asset).toBe(401);
    }
  });

  it('mounts under a base path, still behind authentication everywhere', async () => {
    const { url, dashboard } = await startBoard({ basePath: '/queues/' });
    expect(dashboard.basePath).toBe('/queues');
    const html = await (await fetch(`${url}/queues`, { headers: AUTH })).text();
    expect(html).toContain('<base href="/queues/" />');
    expect((await fetch(`${url}/queues/static/images/logo.svg`, { headers: AUTH })).status).toBe(200);
    expect((await apiQueues(`${url}/queues`)).map((q) => q.name)).toEqual(SCENARIO_QUEUES);
    expect((await fetch(`${url}/queues/api/queues`)).status).toBe(401);
    expect((await fetch(`${url}/api/queues`)).status).toBe(401);
    expect((await fetch(`${url}/api/queues`, { headers: AUTH })).status).toBe(404);
  });

  it('closes the Redis connections of its queues, once however often it is asked', async () => {
    const prefix = redis.prefix();
    const clients = async () => String(await redis.client.client('LIST')).trim().split('\n').length;
    const before = await clients();
    const dashboard = createDashboard({ connection: redis.server.connection, prefix, credentials: CREDENTIALS });
    const response = await dashboard.app.request('/api/queues', { headers: AUTH });
    expect(response.status).toBe(200);
    expect(await clients()).toBeGreaterThanOrEqual(before + SCENARIO_QUEUES.length);
    await Promise.all([dashboard.close(), dashboard.close()]);
    await dashboard.close();
    await vi.waitFor(async () => expect(await clients()).toBe(before), { timeout: 10_000 });
  });

  it('refuses credentials that cannot protect it, and malformed base paths and queue names', () => {
    const base = { connection: redis.server.connection, prefix: redis.prefix() };
    const refusal = (credentials: { username: string; password: string }) => {
      try {
        createDashboard({ ...base, credentials });
      } catch (error) {
        return error;
      }
      throw new Error('accepted');
    };
    expect(refusal({ username: 'supervision', password: '' })).toBeInstanceOf(DashboardOptionsError);
    expect(refusal({ username: '', password: 'x' })).toMatchObject({ message: /user name and a password/, hint: /dashboard\.username and dashboard\.passwordEnv/ });
    expect(() => createDashboard({ ...base, credentials: { username: 'a:b', password: 'x' } })).toThrow(/cannot contain ":"/);
    expect(() => createDashboard({ ...base, credentials: CREDENTIALS, basePath: 'queues' })).toThrow(/base path "queues"/);
    expect(() => createDashboard({ ...base, credentials: CREDENTIALS, basePath: '/a/../b' })).toThrow(DashboardOptionsError);
    expect(() => createDashboard({ ...base, credentials: CREDENTIALS, extraQueueNames: [' '] })).toThrow(/invalid queue name/);
  });

  it('names one queue per scenario, then the extra ones, without duplicates', () => {
    expect(scenarioQueueNames()).toEqual(SCENARIO_QUEUES);
    expect(scenarioQueueNames(['file-drops', SCENARIO_QUEUES[0]!, 'file-drops'])).toEqual([...SCENARIO_QUEUES, 'file-drops']);
  });

  it('renders the queues and their jobs in headless Chromium for a user with the credentials', async () => {
    const { url, prefix } = await startBoard();
    await producer('dipa-payment', prefix).add('dipa-payment.rendered', { rowNumber: 2 }, { jobId: 'dipa-payment.rendered' });
    const { browser } = await launchBrowser();
    onTestFinished(() => browser.close());

    const anonymous = await browser.newContext();
    const refused = await (await anonymous.newPage()).goto(`${url}/`);
    expect(refused?.status()).toBe(401);

    const context = await browser.newContext({ httpCredentials: { username: CREDENTIALS.username, password: CREDENTIALS.password } });
    const page = await context.newPage();
    const response = await page.goto(`${url}/`);
    expect(response?.status()).toBe(200);
    const menu = page.getByRole('navigation').or(page.locator('aside')).first();
    for (const name of SCENARIO_QUEUES) await expect.poll(() => menu.getByText(name, { exact: true }).count()).toBe(1);

    await menu.getByText('dipa-payment', { exact: true }).click();
    await page.waitForURL(/\/queue\/dipa-payment/);
    await page.getByText('dipa-payment.rendered').first().waitFor();
    expect(await page.getByText(catalogue.get('dipa-payment')!.title).count()).toBeGreaterThan(0);
  });
});
