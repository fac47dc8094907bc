import type { Browser } from 'playwright';
import { ProwebError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { ApplicationDefinition } from '../scenarios/dsl/index.ts';
import { launchBrowser } from './browser.ts';
import { locate } from './locate.ts';
import type { ApplicationEndpoint } from './options.ts';
import { Slot } from './slot.ts';

/** One node of Playwright's ARIA snapshot as JSON (`locator.ariaSnapshotJSON()`). */
export interface AriaNode {
  role: string;
  name?: string;
  text?: string;
  placeholder?: string;
  url?: string;
  children?: AriaNode[];
  [state: string]: unknown;
}

/** A form field no label names: only CSS finds it, `#id` or `tag[name="…"]`. */
export interface UnlabelledField {
  css: string;
  /** `input type=text`, `select`, `textarea`. */
  kind: string;
}

/** What a screen shows to a person and to assistive technology, read once, logged in. */
export interface ScreenReading {
  /** The path asked for. */
  path: string;
  /** The page's path and query once loaded (after any redirect). */
  landedOn: string;
  nodes: AriaNode[];
  unlabelledFields: UnlabelledField[];
  /** The `id` of each table, in document order (`''` for none): a nameless table's CSS. */
  tableIds: string[];
}

/** The screen could not be read: the login page came back, or the page failed. */
export class ScreenNotReadable extends ProwebError {
  override name = 'ScreenNotReadable';
}

/**
 * Logs in to the application as the robot does (its own login steps, the endpoint's
 * account), opens `path` and reads its accessibility tree: what `proweb map` turns into a
 * screen-map entry. Headless unless told; the browser is closed before it returns.
 * Nothing of the page is logged: the tree holds whatever the screen shows, personal data too.
 */
export async function readScreen(
  app: ApplicationDefinition,
  endpoint: ApplicationEndpoint,
  path: string,
  options: { headed?: boolean; timeoutMs?: number; logger?: Logger; browser?: Browser } = {},
): Promise<ScreenReading> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const own = options.browser ? undefined : await launchBrowser({ headed: options.headed ?? false });
  const browser = options.browser ?? own!.browser;
  const slot = new Slot(0, browser, options.logger ?? silentLogger);
  try {
    await slot.login(app, endpoint, timeoutMs);
    const page = await slot.page();
    const response = await page.goto(endpoint.baseUrl + path, { timeout: timeoutMs, waitUntil: 'domcontentloaded' });
    const url = new URL(page.url());
    const landedOn = `${url.pathname}${url.search}`;
    if (response && response.status() >= 400) throw new ScreenNotReadable(`${app.id} answered HTTP ${response.status()} for ${path}`, 'Check the path: copy it from the address bar of the screen, after the base URL.');
    if (await locate(page, app.loginPage).first().isVisible()) {
      throw new ScreenNotReadable(`${app.id} showed its login page for ${path}`, 'The session was refused for that screen: check the path, and the account\'s rights.');
    }
    const nodes = (await page.locator('body').ariaSnapshotJSON({ timeout: timeoutMs })) as unknown as AriaNode[];
    // Runs in the page, typed loosely: this project compiles without the DOM library. No named
    // inner function (tsx's keepNames would inject a `__name` the page does not have).
    const dom = await page.evaluate(() => {
      /* eslint-disable @typescript-eslint/no-explicit-any */
      const doc = (globalThis as any).document;
      const win = globalThis as any;
      const fields = (Array.from(doc.querySelectorAll('input, select, textarea')) as any[])
        .filter((f) => !(f.tagName === 'INPUT' && ['hidden', 'submit', 'button', 'reset', 'image'].includes(f.type)))
        .filter((f) => (f.labels?.length ?? 0) === 0 && !f.getAttribute('aria-label') && !f.getAttribute('aria-labelledby') && !f.closest('label'))
        .map((f) => ({
          css: f.id ? `#${win.CSS.escape(f.id)}` : f.name ? `${String(f.tagName).toLowerCase()}[name="${String(f.name).replace(/"/g, '\\"')}"]` : '',
          kind: f.tagName === 'INPUT' ? `input type=${f.type}` : String(f.tagName).toLowerCase(),
        }))
        .filter((f) => f.css !== '') as { css: string; kind: string }[];
      const tables = (Array.from(doc.querySelectorAll('table')) as any[]).map((t) => String(t.id));
      return { fields, tables };
    });
    return { path, landedOn, nodes: Array.isArray(nodes) ? nodes : [nodes], unlabelledFields: dom.fields, tableIds: dom.tables };
  } finally {
    await slot.recycle();
    await own?.browser.close().catch(() => undefined);
  }
}
