/**
 * The DIPA payment written by hand in plain Playwright, tuned as a careful developer
 * would tune it: the yardstick `bench/versus-playwright.ts` holds the Robot against.
 *
 * It is meant to be as correct as the `dipa-payment` scenario, only faster: log in
 * once per browser context; per dossier, open the professional's record by URL, look
 * for a DIPA payment of the period (skip the dossier if there is one), open the
 * payment form by URL, set every field in one `evaluate` that fires the events the
 * page listens to and reads the values back, click "Valider le paiement", wait for
 * `domcontentloaded` only, read the reference (or the refusal). Nothing here is a
 * shortcut the scenario could not take: same pages, same fields, same values.
 *
 * Not a library: bench code, kept beside its bench. It must stay honest (a tuned
 * script that skipped a check would make the Robot look slow for the wrong reason).
 */
import type { Browser, BrowserContext, Page } from 'playwright';
import { formatCentsForEntry } from '../domain/french-formats.ts';
import { dipaPayment, type DipaRow } from '../scenarios/dipa-payment.ts';

/** Where Progrès lives and the account that logs in. */
export interface ProgresEndpoint {
  baseUrl: string;
  username: string;
  password: string;
}

/** How one dossier ended, as the scenario would say it. */
export type TunedOutcome = { status: 'done'; reference: string; alreadyEntered: boolean } | { status: 'rejected'; reason: string };

/** What the PS record shows: an error, the reference of this period's payment, or no payment yet. */
type RecordView = { kind: 'error'; text: string } | { kind: 'not-a-record' } | { kind: 'paid'; reference: string } | { kind: 'unpaid' };

/** What the page after the submit shows. */
interface SubmitView {
  reference: string | null;
  refusal: string | null;
  error: string | null;
}

/** The page's DOM, typed structurally: this project compiles without the DOM library. */
interface PageField {
  value: string;
  dispatchEvent(event: unknown): boolean;
}
interface PageDocument {
  getElementById(id: string): PageField | null;
  querySelector(selector: string): { textContent: string | null } | null;
}

/** What the scenario types in the payment form, by field id: the same values, the same French formats. */
export function paymentFormValues(row: DipaRow): Record<string, string> {
  return {
    ps: row.ps,
    dispositif: `DIPA-${row.period}`,
    montant: formatCentsForEntry(row.advanceCents),
    reglement: 'VIR',
    iban: row.iban,
    motif: `Acompte DIPA ${row.period} demande ${row.requestId}`,
  };
}

/**
 * One browser context of the script: logged in to Progrès once, reused for dossier
 * after dossier, renewed after `recycleAfter` of them (as the Robot renews its own).
 */
export class TunedDipaContext {
  private context: BrowserContext | undefined;
  private current: Page | undefined;
  private dossiers = 0;

  constructor(
    private readonly browser: Browser,
    private readonly endpoint: ProgresEndpoint,
    private readonly recycleAfter: number,
  ) {}

  /** Pays one dossier. Throws when the outcome is not a reference nor a refusal (the run is then wrong). */
  async pay(row: DipaRow): Promise<TunedOutcome> {
    if (this.dossiers >= this.recycleAfter) await this.close();
    this.dossiers++;
    const scrub = dipaPayment.scrubberFor(row);
    try {
      return await this.payUnmasked(row);
    } catch (error) {
      // Playwright's messages quote URLs and page texts: no name or IBAN leaves in clear.
      throw scrub.error(error);
    }
  }

  /** Closes the context (the next dossier opens a new one and logs in). */
  async close(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    this.current = undefined;
    this.dossiers = 0;
    await context?.close();
  }

  private async payUnmasked(row: DipaRow): Promise<TunedOutcome> {
    const page = await this.open(`/progres/ps?numero=${encodeURIComponent(row.ps)}`);
    const record = await readRecord(page, row.period);
    if (record.kind === 'error') return { status: 'rejected', reason: record.text };
    if (record.kind === 'not-a-record') throw new Error('the PS record page shows neither the record nor an error');
    if (record.kind === 'paid') return { status: 'done', reference: record.reference, alreadyEntered: true };

    await this.open(`/progres/paiement/nouveau?ps=${encodeURIComponent(row.ps)}`);
    await fillForm(page, paymentFormValues(row));
    // The answer is the confirmation (after a 303) or the form again with a refusal: any URL but the blank form's.
    await Promise.all([
      page.waitForURL((url) => !url.pathname.endsWith('/paiement/nouveau'), { waitUntil: 'domcontentloaded' }),
      page.click('#form-paiement button[type="submit"]'),
    ]);
    const after = await readSubmit(page);
    if (after.reference) return { status: 'done', reference: after.reference, alreadyEntered: false };
    if (after.refusal) return { status: 'rejected', reason: after.refusal };
    throw new Error(`no reference nor refusal after the submit${after.error ? `: ${after.error}` : ''}; the outcome is unknown`);
  }

  /**
   * Opens a page of Progrès by URL, waiting for `domcontentloaded` only; logs in first
   * when the application answers with its login page (first use, or a session gone).
   */
  private async open(path: string): Promise<Page> {
    const page = await this.page();
    await page.goto(this.endpoint.baseUrl + path, { waitUntil: 'domcontentloaded' });
    if (!isLoginPage(page)) return page;
    await this.login(page);
    await page.goto(this.endpoint.baseUrl + path, { waitUntil: 'domcontentloaded' });
    if (isLoginPage(page)) throw new Error('still on the login page after logging in');
    return page;
  }

  private async login(page: Page): Promise<void> {
    await page.fill('#identifiant', this.endpoint.username);
    await page.fill('#motdepasse', this.endpoint.password);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/progres/accueil', { waitUntil: 'domcontentloaded' }),
      page.click('#form-connexion button[type="submit"]'),
    ]);
  }

  private async page(): Promise<Page> {
    if (this.current && !this.current.isClosed()) return this.current;
    this.context = await this.browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    this.current = await this.context.newPage();
    return this.current;
  }
}

const isLoginPage = (page: Page) => new URL(page.url()).pathname === '/progres/connexion';

/**
 * The guard and the "unknown professional" check in one round-trip. "Not paid" is only
 * believed when the payments table is there: a page that is not the record proves nothing.
 */
function readRecord(page: Page, period: string): Promise<RecordView> {
  return page.evaluate(
    (period): RecordView => {
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      const alert = doc.querySelector('[role="alert"]');
      if (alert) return { kind: 'error', text: (alert.textContent ?? '').trim() };
      if (!doc.querySelector('#fiche-ps') || !doc.querySelector('#paiements-ps')) return { kind: 'not-a-record' };
      const paid = doc.querySelector(`#paiements-ps tr[data-dispositif="DIPA"][data-periode="${period}"] .reference`);
      return paid ? { kind: 'paid', reference: (paid.textContent ?? '').trim() } : { kind: 'unpaid' };
    },
    period,
  );
}

/**
 * Sets every field in one round-trip, fires `input` and `change` as typing and choosing
 * would, and reads each value back: a select without the wanted option keeps another
 * value, and the script must stop there rather than submit it. No named helper inside:
 * under tsx (keepNames) it would call a `__name` the page does not have.
 */
async function fillForm(page: Page, values: Record<string, string>): Promise<void> {
  const refused = await page.evaluate(
    (values) => {
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      const wrong: string[] = [];
      for (const [id, value] of Object.entries(values)) {
        const field = doc.getElementById(id);
        if (!field) {
          wrong.push(`#${id} missing`);
          continue;
        }
        field.value = value;
        field.dispatchEvent(new Event('input', { bubbles: true }));
        field.dispatchEvent(new Event('change', { bubbles: true }));
        if (field.value !== value) wrong.push(`#${id} did not take its value`);
      }
      return wrong;
    },
    values,
  );
  if (refused.length > 0) throw new Error(`the payment form refused: ${refused.join(', ')}`);
}

/** The confirmation's reference, or the refusal, or the form error, in one round-trip. */
function readSubmit(page: Page): Promise<SubmitView> {
  return page.evaluate((): SubmitView => {
    const doc = (globalThis as unknown as { document: PageDocument }).document;
    return {
      reference: doc.querySelector('#reference-paiement')?.textContent?.trim() || null,
      refusal: doc.querySelector('.message.refus')?.textContent?.trim() ?? null,
      error: doc.querySelector('.message.erreur')?.textContent?.trim() ?? null,
    };
  });
}

/**
 * Runs `rows` through `contexts` contexts side by side, each taking the next row as it
 * is free (as the Robot's slots do). Returns each row's outcome, in row order.
 */
export async function runTunedDipa(browser: Browser, endpoint: ProgresEndpoint, rows: readonly DipaRow[], contexts: number, recycleAfter: number): Promise<TunedOutcome[]> {
  const outcomes: TunedOutcome[] = new Array(rows.length);
  const workers = Array.from({ length: contexts }, () => new TunedDipaContext(browser, endpoint, recycleAfter));
  let next = 0;
  try {
    await Promise.all(
      workers.map(async (worker) => {
        while (next < rows.length) {
          const index = next++;
          outcomes[index] = await worker.pay(rows[index]!);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
  return outcomes;
}
