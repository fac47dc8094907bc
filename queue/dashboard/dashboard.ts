/**
 * bull-board over proweb's queues: operators see what is waiting, running, failed or
 * done from a browser, read-only unless the configuration says `dashboard.writable`
 * (then they may retry, promote and remove jobs, pause and resume queues, nothing else).
 * Everything it serves (page, assets, API) sits behind HTTP Basic authentication, with
 * failed logins slowed down per client, and no answer carries personal data: jobs show
 * the fields of {@link VISIBLE_JOB_FIELDS}, and their reasons, stacks, logs and return
 * values are masked (see `dashboard-masking.ts`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Hono, type Context } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { ProwebError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { DeploymentSecret } from '../../core/secret.ts';
import { catalogue } from '../../scenarios/catalogue.ts';
import { maskJsonAnswer, MaskingBullMQAdapter, VISIBLE_JOB_FIELDS } from './dashboard-masking.ts';
import { LoginThrottle, type LoginThrottleOptions } from '../fleet/login-throttle.ts';
import { DEFAULT_PREFIX, queueNameFor } from '../queue-options.ts';

export { VISIBLE_JOB_FIELDS, visibleJobFields } from './dashboard-masking.ts';

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
  /**
   * Operators may retry, promote and remove jobs, pause and resume queues. Adding jobs,
   * editing their data, emptying or obliterating queues and changing schedulers are
   * refused even then. @defaultValue false (read-only: every write is refused)
   */
  writable?: boolean;
  /**
   * The deployment secret: opens a waiting job's sealed row so that its declared personal
   * values (names, addresses) are masked too, not only the patterns. Never shown.
   */
  secret?: DeploymentSecret;
  /** How failed logins are slowed down (tests give a clock). @defaultValue 5 failures in 15 min, then 1 s, 2 s, 4 s... up to 15 min */
  loginThrottle?: LoginThrottleOptions;
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
  /** Whether operators may retry, promote and remove jobs ({@link DashboardOptions.writable}). */
  readonly writable: boolean;
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
 * Writes a writable dashboard allows, below its API root: retry, promote and remove
 * (bull-board's "clean") jobs, pause and resume queues. Adding a job, editing a job's
 * data, delay or priority, emptying or obliterating a queue, changing its concurrency,
 * rate limit or schedulers are never allowed: the queues are fed by `proweb enqueue` alone.
 */
const ALLOWED_WRITES: readonly RegExp[] = [
  /^queues\/(?:pause|resume)$/,
  /^queues\/[^/]+\/(?:pause|resume|promote)$/,
  /^queues\/[^/]+\/(?:retry|clean)\/[^/]+$/,
  /^queues\/[^/]+\/[^/]+\/(?:retry|clean|promote)$/,
];

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Builds bull-board (read-only unless `writable`) for the given queues, behind HTTP Basic
 * authentication on every route, including static assets, the API and unknown paths. A
 * refusal is a 401 with `WWW-Authenticate`; after repeated failures a client gets 429 with
 * `Retry-After` until its wait is over, its credentials not even looked at.
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
  const writable = options.writable ?? false;
  const throttle = new LoginThrottle(options.loginThrottle);
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
    queues: queues.map((queue) => new MaskingBullMQAdapter(queue, { description: titles.get(queue.name) ?? '', readOnlyMode: !writable, secret: options.secret })),
    serverAdapter,
    // The caisses' operators read French.
    options: { uiConfig: { boardTitle: 'proweb', hideDocsLink: true, locale: { lng: 'fr-FR' } } },
  });

  const apiRoot = `${basePath === '/' ? '' : basePath}/api/`;
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
    async (c, next) => {
      const waitMs = throttle.waitMs(clientOf(c));
      if (waitMs === 0) return next();
      c.header('Retry-After', String(Math.ceil(waitMs / 1000)));
      return c.text(`Too many failed logins from this client: try again in ${Math.ceil(waitMs / 1000)} s.\n`, 429);
    },
    basicAuth({
      realm: REALM,
      verifyUser: (user, pass, c) => {
        // Both compared, always, on fixed-length digests: the time taken says nothing about either.
        const userOk = timingSafeEqual(digest(user), expectedUser);
        const passwordOk = timingSafeEqual(digest(pass), expectedPassword);
        const client = clientOf(c);
        if (userOk && passwordOk) {
          throttle.succeeded(client);
          return true;
        }
        const outcome = throttle.failed(client);
        logger.warn(
          { method: c.req.method, path: c.req.path, client, ...(outcome.locked ? { waitMs: outcome.waitMs } : {}) },
          outcome.locked ? 'dashboard: wrong user name or password, too many times: the client must wait' : 'dashboard: wrong user name or password',
        );
        return false;
      },
      invalidUserMessage: 'Authentication required: use the dashboard credentials of the proweb configuration.\n',
    }),
    csrf(),
    async (c, next) => {
      if (READ_METHODS.has(c.req.method)) return next();
      const apiPath = c.req.path.slice(apiRoot.length);
      if (writable && c.req.path.startsWith(apiRoot) && ALLOWED_WRITES.some((route) => route.test(apiPath))) return next();
      return c.json({
        error: writable ? 'not allowed from the dashboard' : 'the dashboard is read-only',
        message: writable
          ? 'Only retrying, promoting and removing jobs and pausing queues are allowed here; dossiers are queued with proweb enqueue.'
          : 'Set "writable": true under "dashboard" in the configuration to retry or remove jobs from the dashboard.',
      }, 403);
    },
    async (c, next) => {
      await next();
      // The last layer: whatever API route answered, no personal data leaves in JSON (the
      // static assets are bull-board's own files, and its page breaks if they are re-encoded).
      if (c.req.path.startsWith(apiRoot)) c.res = await maskJsonAnswer(c.res);
    },
  );
  app.route(basePath, serverAdapter.registerPlugin());

  let closing: Promise<void> | undefined;
  return {
    app,
    queueNames,
    basePath,
    writable,
    close() {
      closing ??= Promise.all(queues.map((queue) => queue.close())).then(() => undefined);
      return closing;
    },
  };
}

/** The client a login comes from: its address (the socket's, never a header a client may forge). */
function clientOf(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
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
