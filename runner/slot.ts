import type { Browser, BrowserContext, Page } from 'playwright';
import { LoginFailed } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ApplicationDefinition } from '../scenarios/dsl/index.ts';
import { locate } from './locate.ts';
import type { ApplicationEndpoint } from './options.ts';
import { runPlainSteps } from './step-actions.ts';

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
  dossiers = 0;

  constructor(
    readonly index: number,
    private readonly browser: Browser,
    private readonly logger: Logger,
  ) {}

  /** The slot's page, created on first use. */
  async page(): Promise<Page> {
    if (this.current && !this.current.isClosed()) return this.current;
    this.context = await this.browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    const page = await this.context.newPage();
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) this.lastDocumentStatus = response.status();
    });
    this.current = page;
    this.loggedIn.clear();
    return page;
  }

  /** Starts recording a Playwright trace (screenshots and DOM snapshots) of what this slot does. */
  async startTrace(): Promise<void> {
    await this.page();
    await this.context!.tracing.start({ screenshots: true, snapshots: true, sources: false });
  }

  /** Stops the trace and writes it; never throws (a trace must not hide the dossier's outcome). */
  async stopTrace(path: string): Promise<void> {
    await this.context?.tracing.stop({ path }).catch(() => undefined);
  }

  isLoggedIn(application: string): boolean {
    return this.loggedIn.has(application);
  }

  forgetLogin(application: string): void {
    this.loggedIn.delete(application);
  }

  /** Logs in through the application's own login form. */
  async login(app: ApplicationDefinition, endpoint: ApplicationEndpoint, timeoutMs: number): Promise<void> {
    const page = await this.page();
    this.loggedIn.delete(app.id);
    await page.goto(endpoint.baseUrl + app.loginPath, { timeout: timeoutMs });
    await runPlainSteps(page, `application ${app.id} login`, app.loginSteps, endpoint, timeoutMs);
    await page.waitForLoadState('load', { timeout: timeoutMs });
    if (await locate(page, app.loggedIn).first().isVisible()) {
      this.loggedIn.add(app.id);
      this.logger.debug({ application: app.id, slot: this.index }, 'logged in');
      return;
    }
    const message = app.loginError ? await locate(page, app.loginError).first().textContent({ timeout: 500 }).catch(() => null) : null;
    throw new LoginFailed(app.id, message?.trim() || `still not logged in after the login form (at ${page.url()})`);
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
