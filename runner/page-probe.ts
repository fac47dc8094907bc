import type { Page } from 'playwright';
import type { Target } from '../scenarios/dsl/index.ts';

/**
 * A target the page can find in its own world, without Playwright's selector engine: a CSS
 * selector, or a role no HTML element has by default (`alert`), without a name.
 */
export type ProbeQuery = { css: string } | { role: 'alert' };

/**
 * What `locator.first()` would say of a target, read in the page: whether the first match is
 * visible, its raw `textContent`, and how many elements match.
 */
export interface Probe {
  count: number;
  visible: boolean;
  text: string | null;
}

/**
 * The target as the page's own world can find it, or undefined when only Playwright's locator
 * finds it exactly (labels, names, text, implicit roles).
 *
 * Why bother: the first locator call on a new document makes Playwright build its selector
 * engine in that document, some 20 ms of CPU; a plain `evaluate` in the page's world costs a
 * few. The checks made after every navigation (the login page, the commit's answer, a guard)
 * mostly look for CSS targets: read in the page's world, a document that needs no locator
 * never pays for the engine.
 */
export function probeQueryOf(target: Target): ProbeQuery | undefined {
  if (target.by === 'css') return { css: target.css };
  if (target.by === 'role' && target.role === 'alert' && target.name === undefined) return { role: 'alert' };
  return undefined;
}

/**
 * Reads targets in one round-trip, in the page's own world. Each answer is what
 * `locator.first().isVisible()` / `.textContent()` would give, or undefined when the page
 * cannot tell it exactly as the locator would (a query that is not plain CSS, a page with
 * shadow roots or `display: contents`): the caller then asks the locator. Never waits.
 */
export async function probeTargets(page: Page, queries: readonly (ProbeQuery | undefined)[]): Promise<(Probe | undefined)[]> {
  if (queries.every((q) => q === undefined)) return queries.map(() => undefined);
  // Runs in the page, typed loosely: this project compiles without the DOM library. No named
  // helper in here: under tsx (keepNames) it would call a `__name` the page does not have.
  return page.evaluate((list: readonly (ProbeQuery | null)[]) => {
    /* eslint-disable @typescript-eslint/no-explicit-any */
    const doc = (globalThis as any).document;
    const win = globalThis as any;
    const all = Array.from(doc.querySelectorAll('*')) as any[];
    // Playwright's engines look inside shadow roots, querySelectorAll does not: leave such pages to it.
    if (all.some((el) => el.shadowRoot)) return list.map(() => null);
    return list.map((query) => {
      if (!query) return null;
      let matches: any[];
      if ('css' in query) {
        try {
          matches = Array.from(doc.querySelectorAll(query.css));
        } catch {
          return null; // Playwright's own selector syntax (`:has-text`, `>>`): the locator reads it.
        }
      } else {
        // An explicit role only (no element has `alert` by default); one token, or leave it to the locator.
        const roled = all.filter((el) => {
          const tokens = String(el.getAttribute('role') ?? '').trim().split(/\s+/);
          return tokens[0] === query.role;
        });
        if (roled.some((el) => String(el.getAttribute('role')).trim().split(/\s+/).length > 1 || win.getComputedStyle(el).display === 'contents')) return null;
        // getByRole leaves out what is hidden from assistive technologies.
        matches = roled.filter((el) => {
          if (['STYLE', 'SCRIPT', 'NOSCRIPT', 'TEMPLATE'].includes(el.nodeName)) return false;
          if (!el.checkVisibility() || win.getComputedStyle(el).visibility !== 'visible') return false;
          for (let node = el; node; node = node.parentElement) {
            if (String(node.getAttribute('aria-hidden') ?? '').toLowerCase() === 'true') return false;
          }
          return true;
        });
      }
      if (matches.length === 0) return { count: 0, visible: false, text: null };
      const first = matches[0];
      const style = win.getComputedStyle(first);
      if (style.display === 'contents') return null;
      const rect = first.getBoundingClientRect();
      const visible = first.checkVisibility() && style.visibility === 'visible' && rect.width > 0 && rect.height > 0;
      return { count: matches.length, visible, text: first.textContent as string | null };
    });
  }, queries.map((q) => q ?? null)).then((answers) => answers.map((a) => a ?? undefined));
}
