import type { Browser, BrowserContext, Page } from 'playwright';
import { LoginFailed, LoginRefused } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ApplicationDefinition } from '../scenarios/dsl/index.ts';
import { locate } from './locate.ts';
import { LoginGate } from './login-gate.ts';
import { countRoundTrips, type RoundTripCounter } from './round-trips.ts';
import type { ApplicationEndpoint } from './options.ts';
import { normalized, runPlainSteps } from './step-actions.ts';

/** What a trace records: screenshots and DOM snapshots, not the robot's own sources. */
const TRACE_OPTIONS = { screenshots: true, snapshots: true, sources: false } as const;

/**
 * One concurrency slot: a browser context and its page, logged in to each
 * application once and reused across dossiers until it is recycled.
 */
export class Slot {
  private context: BrowserContext | undefined;
  private current: Page | undefined;
  private readonly loggedIn = new Set<string>();
  /** Status of the last document the main frame loaded: a 5xx means the back office failed. */
  lastDocumentStatus = 0;
  /** Requests the page sent: a trace chunk in which none was sent holds nothing worth writing. */
  private requests = 0;
  /** The trace being recorded, and the files written for it so far. */
  private trace: { path: string; files: string[]; requests: number } | undefined;
  dossiers = 0;
  /** Playwright calls made through {@link page} since the slot was created: a dossier's round-trips are the difference. */
  readonly roundTrips: RoundTripCounter = { count: 0 };
  /**
   * Form steps (by scenario, version and step number) whose field a page script rewrote when set
   * in one batch with others: they run on their own from then on, as the page needs.
   */
  readonly unbatched = new Set<string>();

  constructor(
    readonly index: number,
    private readonly browser: Browser,
    private readonly logger: Logger,
    /** Shared by the robot's slots: one login at a time per application, and refusals remembered. */
    private readonly logins: LoginGate = new LoginGate(),
  ) {}

  /** The slot's page, created on first use; its Playwright calls are counted in {@link roundTrips}. */
  async page(): Promise<Page> {
    if (this.current && !this.current.isClosed()) return this.current;
    this.context = await this.browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    const page = await this.context.newPage();
    page.on('request', () => {
      this.requests++;
    });
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) this.lastDocumentStatus = response.status();
    });
    this.current = countRoundTrips(page, this.roundTrips);
    this.loggedIn.clear();
    return this.current;
  }

  /**
   * Starts recording a Playwright trace (screenshots and DOM snapshots) of what this slot
   * does, to be written to `path`. Logins are left out (see {@link login}): the trace never
   * holds the typed password. It holds everything else on screen: personal data.
   */
  async startTrace(path: string): Promise<void> {
    await this.page();
    await this.context!.tracing.start(TRACE_OPTIONS);
    this.trace = { path, files: [], requests: this.requests };
  }

  /**
   * Stops the trace and writes what was recorded since the last login; returns every file
   * written for it (`path`, then `path-2.zip`... when a login came in between). Never throws:
   * a trace must not hide the dossier's outcome.
   */
  async stopTrace(): Promise<string[]> {
    const trace = this.trace;
    if (!trace) return [];
    this.trace = undefined;
    await this.closeTracePart(trace).catch(() => undefined);
    return trace.files;
  }

  /**
   * Stops recording and writes what was recorded since it started, if anything happened;
   * drops it if not. Stopped, not paused: a trace's network log goes on across its chunks.
   */
  private async closeTracePart(trace: { path: string; files: string[]; requests: number }): Promise<void> {
    if (this.requests === trace.requests) {
      await this.context?.tracing.stop();
      return;
    }
    const file = trace.files.length === 0 ? trace.path : trace.path.replace(/(\.zip)?$/, `-${trace.files.length + 1}$1`);
    await this.context?.tracing.stop({ path: file });
    trace.files.push(file);
  }

  isLoggedIn(application: string): boolean {
    return this.loggedIn.has(application);
  }

  forgetLogin(application: string): void {
    this.loggedIn.delete(application);
  }

  /**
   * Logs in through the application's own login form, after any other slot's login to it.
   * @throws {@link LoginRefused} when the application shows its login error (or did before):
   * the account is refused, and trying again would only bring it closer to being locked.
   * @throws {@link LoginFailed} when the robot is still out for another reason (error page).
   */
  async login(app: ApplicationDefinition, endpoint: ApplicationEndpoint, timeoutMs: number): Promise<void> {
    const trace = this.trace;
    if (!trace) return this.logins.login(app.id, () => this.sendLoginForm(app, endpoint, timeoutMs));
    // A trace records typed text, form posts and DOM snapshots with field values: the
    // password would be in it. What came before is written, and recording resumes after.
    try {
      await this.closeTracePart(trace);
    } catch {
      // Not sure the recording stopped: no more trace for this dossier rather than a password in one.
      this.trace = undefined;
      await this.context?.tracing.stop().catch(() => undefined);
    }
    try {
      await this.logins.login(app.id, () => this.sendLoginForm(app, endpoint, timeoutMs));
    } finally {
      trace.requests = this.requests;
      if (this.trace === trace) await this.context?.tracing.start(TRACE_OPTIONS).catch(() => undefined);
    }
  }

  private async sendLoginForm(app: ApplicationDefinition, endpoint: ApplicationEndpoint, timeoutMs: number): Promise<void> {
    const page = await this.page();
    this.loggedIn.delete(app.id);
    // The form and then the answer are in their documents: no need to wait for images and styles.
    await page.goto(endpoint.baseUrl + app.loginPath, { timeout: timeoutMs, waitUntil: 'domcontentloaded' });
    await runPlainSteps(page, `application ${app.id} login`, app.loginSteps, endpoint, timeoutMs);
    await page.waitForLoadState('domcontentloaded', { timeout: timeoutMs });
    if (await locate(page, app.loggedIn).first().isVisible()) {
      this.loggedIn.add(app.id);
      this.logger.debug({ application: app.id, slot: this.index }, 'logged in');
      return;
    }
    // Only the application's declared login error is a refusal of the account; anything else
    // (an error page, a connection lost after the form) says nothing about the credentials.
    const refusal = app.loginError ? locate(page, app.loginError).first() : undefined;
    if (this.lastDocumentStatus < 500 && refusal && (await refusal.isVisible())) {
      const message = normalized(await refusal.textContent({ timeout: 500 }).catch(() => null)) || 'login refused';
      this.logger.error({ application: app.id, username: endpoint.username, slot: this.index, message }, 'login refused: no more logins to this application until told to');
      throw new LoginRefused(app.id, message, endpoint.username);
    }
    const status = this.lastDocumentStatus >= 500 ? `the application answered HTTP ${this.lastDocumentStatus}` : `still not logged in after the login form (at ${page.url()})`;
    throw new LoginFailed(app.id, status);
  }

  /** Closes the context; the next dossier gets a fresh one (and logs in again). */
  async recycle(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    this.current = undefined;
    this.loggedIn.clear();
    this.dossiers = 0;
    await context?.close().catch(() => undefined);
  }
}
