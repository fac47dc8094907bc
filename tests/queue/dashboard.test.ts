import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { listenHttp } from '../../core/http-listener.ts';
import { createDashboard, DashboardOptionsError, scenarioQueueNames, type DashboardOptions } from '../../queue/dashboard.ts';
import { queueNameFor } from '../../queue/queue-options.ts';
import { launchBrowser } from '../../runner/browser.ts';
import { catalogue } from '../../scenarios/catalogue.ts';
import { startTestRedis, type TestRedis } from '../support/redis.ts';

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
    const { url } = await startBoard();
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

  it('shows which columns a dossier’s input row has, never their values (names, NIR, IBAN)', async () => {
    const { url, prefix } = await startBoard();
    const raw = { nir: '1850759012345 67', nom: 'DUPONT Jeanne', iban: 'FR7630006000011234567890189' };
    await producer('prn-entry', prefix).add('prn-entry.d1', { campaignId: 'c1', rowNumber: 7, file: 'prn.csv', raw }, { jobId: 'prn-entry.d1' });
    const response = await fetch(`${url}/api/queues?activeQueue=prn-entry&status=waiting&page=1&jobsPerPage=10`, { headers: AUTH });
    const body = await response.text();
    for (const value of Object.values(raw)) expect(body).not.toContain(value);
    const job = (JSON.parse(body) as { queues: { name: string; jobs: { data: unknown }[] }[] }).queues.find((q) => q.name === 'prn-entry')!.jobs[0]!;
    expect(job.data).toEqual({ campaignId: 'c1', rowNumber: 7, file: 'prn.csv', raw: { nir: '•••', nom: '•••', iban: '•••' } });
  });

  it('lets an operator retry failed jobs, but refuses the same request sent by another site', async () => {
    const { url, prefix } = await startBoard();
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

    const retry = await fetch(`${url}/api/queues/prime-covid/retry/failed`, { method: 'PUT', headers: { ...AUTH, 'content-type': 'application/json' }, body: '{}' });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ retried: 1, skipped: 0 });
    expect(await queue.getJobCounts('failed', 'waiting')).toEqual({ failed: 0, waiting: 1 });
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
