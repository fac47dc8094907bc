/**
 * bull-board over proweb's queues: operators see what is waiting, running, failed or
 * done, retry or remove jobs, from a browser. Everything it serves (page, assets, API)
 * sits behind HTTP Basic authentication, because the job data are input rows with
 * personal data and its API can retry, remove or empty queues.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { ProwebError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { catalogue } from '../scenarios/catalogue.ts';
import { DEFAULT_PREFIX, queueNameFor } from './queue-options.ts';

/** Who may open the dashboard. */
export interface DashboardCredentials {
  /** Cannot contain `:`, which HTTP Basic uses to separate it from the password. */
  username: string;
  password: string;
}

export interface DashboardOptions {
  /** Redis of the deployment; each queue opens its own connection from it. */
  connection: ConnectionOptions;
  /** Key namespace of the deployment, as the workers use it. @defaultValue 'proweb' */
  prefix?: string;
  /** Queues shown. @defaultValue one per scenario of the catalogue ({@link scenarioQueueNames}) */
  queueNames?: readonly string[];
  /** Queues shown after `queueNames` (for instance the scheduled file drops); duplicates are ignored. */
  extraQueueNames?: readonly string[];
  /** Path the board is mounted at: `/` or `/segment[/segment...]`. @defaultValue '/' */
  basePath?: string;
  credentials: DashboardCredentials;
  /** Refused logins and Redis connection errors are logged here as warnings. @defaultValue silent */
  logger?: Logger;
}

/** bull-board as a Hono app, with the queues it opened. */
export interface Dashboard {
  /** Serve with `listenHttp(dashboard.app.fetch, ...)` or mount in another app. */
  readonly app: Hono;
  /** The queues shown, in order. */
  readonly queueNames: readonly string[];
  /** Where the board is mounted (normalised). */
  readonly basePath: string;
  /** Closes the queues (and their Redis connections) it opened. Idempotent. */
  close(): Promise<void>;
}

/** The dashboard cannot be built from these options. */
export class DashboardOptionsError extends ProwebError {
  override name = 'DashboardOptionsError';
}

const REALM = 'proweb dashboard';

/** One queue per scenario of the catalogue, then `extraQueueNames`, without duplicates. */
export function scenarioQueueNames(extraQueueNames: readonly string[] = []): string[] {
  return [...new Set([...[...catalogue.keys()].map(queueNameFor), ...extraQueueNames])];
}

/**
 * A dossier's job carries its input row (names, NIR, IBAN): the board shows which columns
 * it has, not their values. The row stays in the input file, and the people who must see
 * it get it from `proweb campaign rejects`.
 */
export function maskInputRow(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || !('raw' in data) || typeof data.raw !== 'object' || data.raw === null) return data;
  return { ...data, raw: Object.fromEntries(Object.keys(data.raw).map((column) => [column, '•••'])) };
}

/**
 * Builds bull-board (writable: operators retry and remove jobs) for the given queues,
 * behind HTTP Basic authentication on every route, including static assets, the API
 * and unknown paths. A refusal is a 401 with `WWW-Authenticate`.
 *
 * State-changing requests that a page of another site could send without a CORS
 * preflight (form or text bodies) are refused with 403 unless they come from the
 * dashboard's own origin, so that a browser holding the credentials cannot be used
 * against it.
 *
 * @throws {@link DashboardOptionsError} for empty credentials, a `:` in the user name,
 * a malformed base path or an empty queue name.
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const { username, password } = options.credentials;
  if (username === '' || password === '') {
    throw new DashboardOptionsError('the dashboard needs a user name and a password', 'Set dashboard.username and dashboard.passwordEnv in the configuration.');
  }
  if (username.includes(':')) {
    throw new DashboardOptionsError('the dashboard user name cannot contain ":"', 'HTTP Basic separates the user name from the password with ":"; choose another user name.');
  }
  const basePath = normaliseBasePath(options.basePath ?? '/');
  const queueNames = [...new Set([...(options.queueNames ?? scenarioQueueNames()), ...(options.extraQueueNames ?? [])])];
  const badName = queueNames.find((name) => name.trim() === '' || name.includes(':'));
  if (badName !== undefined) throw new DashboardOptionsError(`invalid queue name "${badName}"`, 'Queue names are non-empty and contain no ":".');
  const logger = (options.logger ?? silentLogger).child({ module: 'dashboard' });
  const prefix = options.prefix ?? DEFAULT_PREFIX;

  const titles = new Map([...catalogue.values()].map((s) => [queueNameFor(s.id), s.title]));
  const queues = queueNames.map((name) => {
    const queue = new Queue(name, { connection: options.connection, prefix });
    // Without a listener an unreachable Redis would crash the process; bull-board reports it per queue.
    queue.on('error', (error) => logger.warn({ queue: name, err: error.message }, 'dashboard queue: Redis error'));
    return queue;
  });

  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(basePath);
  createBullBoard({
    queues: queues.map((queue) => {
      const adapter = new BullMQAdapter(queue, { description: titles.get(queue.name) ?? '' });
      adapter.setFormatter('data', maskInputRow);
      return adapter;
    }),
    serverAdapter,
    // The caisses' operators read French.
    options: { uiConfig: { boardTitle: 'proweb', hideDocsLink: true, locale: { lng: 'fr-FR' } } },
  });

  const expectedUser = digest(username);
  const expectedPassword = digest(password);
  const app = new Hono();
  app.use(
    '*',
    secureHeaders({
      // Same-origin only: the page's link to web fonts is dropped, so opening the dashboard
      // tells no third party that (or when) this caisse looks at its queues.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
    basicAuth({
      realm: REALM,
      verifyUser: (user, pass, c) => {
        // Both compared, always, on fixed-length digests: the time taken says nothing about either.
        const userOk = timingSafeEqual(digest(user), expectedUser);
        const passwordOk = timingSafeEqual(digest(pass), expectedPassword);
        if (userOk && passwordOk) return true;
        logger.warn({ method: c.req.method, path: c.req.path }, 'dashboard: wrong user name or password');
        return false;
      },
      invalidUserMessage: 'Authentication required: use the dashboard credentials of the proweb configuration.\n',
    }),
    csrf(),
  );
  app.route(basePath, serverAdapter.registerPlugin());

  let closing: Promise<void> | undefined;
  return {
    app,
    queueNames,
    basePath,
    close() {
      closing ??= Promise.all(queues.map((queue) => queue.close())).then(() => undefined);
      return closing;
    },
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function normaliseBasePath(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const segments = trimmed.split('/').slice(1);
  if (!trimmed.startsWith('/') || (trimmed !== '/' && segments.some((segment) => !/^[\w.~-]+$/.test(segment) || /^\.+$/.test(segment)))) {
    throw new DashboardOptionsError(`invalid dashboard base path "${path}"`, 'Use "/" or a path such as "/queues" (segments of letters, digits, "-", "_", ".", "~", not "." or "..").');
  }
  return trimmed;
}
