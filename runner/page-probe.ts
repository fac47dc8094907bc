import type { Page } from 'playwright';
import type { Target } from '../scenarios/dsl/index.ts';
import { DOM_IN_PAGE, type PageDom } from './page-dom.ts';

/**
 * A target the page can find in its own world, without Playwright's selector engine: a CSS
 * selector, a role no HTML element has by default (`alert`) without a name, a button or a link
 * by its name.
 */
export type ProbeQuery = { css: string } | { role: 'alert' } | { role: 'button' | 'link'; name: string; exact: boolean };

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
 * finds it exactly (labels, text, other roles).
 *
 * Why bother: the first locator call on a new document makes Playwright build its selector
 * engine in that document, some 20 ms of CPU; a plain `evaluate` in the page's world costs a
 * few. The checks made after every navigation (the login page, the commit's answer, a guard)
 * and the buttons a dossier presses are mostly found so: a document that needs no locator never
 * pays for the engine.
 */
export function probeQueryOf(target: Target): ProbeQuery | undefined {
  if (target.by === 'css') return { css: target.css };
  if (target.by !== 'role') return undefined;
  if (target.role === 'alert' && target.name === undefined) return { role: 'alert' };
  if ((target.role === 'button' || target.role === 'link') && target.name !== undefined) return { role: target.role, name: target.name, exact: target.exact ?? true };
  return undefined;
}

/**
 * In the page: the elements a query finds, in document order, as Playwright's locator finds
 * them, or null when the page cannot tell exactly (a selector in Playwright's own syntax, shadow
 * roots, a name computed from more than plain text...): the caller then asks the locator.
 *
 * Page code, shipped as its source (`String(FIND_IN_PAGE)`) with the helpers of `page-dom.ts`:
 * typed loosely, as this project compiles without the DOM library, and with no named helper
 * inside (under tsx, keepNames would make it call a `__name` the page does not have).
 */
export const FIND_IN_PAGE = (dom: PageDom, query: ProbeQuery, scanned?: unknown[]): unknown[] | null => {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const win = globalThis as any;
  const doc = win.document;
  // Every element, once per call from Node: the caller passes the scan to the next query.
  const all = (scanned ?? Array.from(doc.querySelectorAll('*'))) as any[];
  if (dom.shadowed(all)) return null;
  if ('css' in query) {
    try {
      return Array.from(doc.querySelectorAll(query.css));
    } catch {
      return null; // Playwright's own selector syntax (`:has-text`, `>>`): the locator reads it.
    }
  }
  // Roles as Playwright reads them: the first valid token of `role`, else the element's own.
  const explicit = all.filter((el) => el.hasAttribute('role'));
  // Anything but one plain token (several, "none" on a focusable element...) is left to the locator.
  const plain = ['alert', 'button', 'link', 'listitem', 'list', 'option', 'listbox', 'dialog', 'status', 'region', 'navigation', 'main', 'banner', 'contentinfo', 'form', 'group', 'heading', 'img', 'table', 'row', 'cell', 'columnheader', 'rowheader', 'textbox', 'combobox', 'checkbox', 'radio', 'tab', 'tablist', 'tabpanel', 'menu', 'menuitem', 'tooltip', 'search', 'separator', 'paragraph'];
  if (explicit.some((el) => !plain.includes(String(el.getAttribute('role')).trim().toLowerCase()))) return null;
  const roled = all.filter((el) => {
    let role: string | null = null;
    if (el.hasAttribute('role')) role = String(el.getAttribute('role')).trim().toLowerCase();
    else if (query.role === 'alert') role = null; // no element is an alert by default
    else if (el.nodeName === 'BUTTON') role = 'button';
    else if (el.nodeName === 'INPUT' && ['button', 'submit', 'reset', 'image', 'file'].includes(String(el.type).toLowerCase())) role = 'button';
    else if ((el.nodeName === 'A' || el.nodeName === 'AREA') && el.hasAttribute('href')) role = 'link';
    return role === query.role;
  });
  if (roled.some((el) => win.getComputedStyle(el).display === 'contents')) return null;
  // getByRole leaves out what is hidden from assistive technologies.
  const shown = roled.filter((el) => {
    if (['STYLE', 'SCRIPT', 'NOSCRIPT', 'TEMPLATE'].includes(el.nodeName)) return false;
    if (!dom.styleVisible(el)) return false;
    for (let node = el; node; node = node.parentElement) {
      if (String(node.getAttribute('aria-hidden') ?? '').toLowerCase() === 'true') return false;
    }
    return true;
  });
  if (!('name' in query)) return shown;
  // The accessible name, for what legacy screens have: `aria-label`, a button's value, plain text.
  const names: (string | null)[] = shown.map((el) => {
    if (el.hasAttribute('aria-labelledby')) return null;
    const label = String(el.getAttribute('aria-label') ?? '').trim();
    if (label) return label;
    if (el.nodeName === 'INPUT') {
      const type = String(el.type).toLowerCase();
      if (!['button', 'submit', 'reset'].includes(type) || (el.labels && el.labels.length > 0) || !String(el.value).trim()) return null;
      return String(el.value);
    }
    // Text inside, as long as nothing in it is named, hidden (`visibility: hidden` too: the name
    // leaves it out, `textContent` does not), generated by CSS or laid out apart.
    for (const part of [el, ...Array.from(el.querySelectorAll('*'))] as any[]) {
      if (part !== el && (part.hasAttribute('aria-label') || part.hasAttribute('aria-labelledby') || part.hasAttribute('role') || part.hasAttribute('aria-hidden') || part.hasAttribute('title'))) return null;
      if (part !== el && (!['B', 'STRONG', 'I', 'EM', 'SPAN', 'U', 'ABBR', 'SMALL'].includes(part.nodeName) || win.getComputedStyle(part).display !== 'inline' || !dom.styleVisible(part))) return null;
      for (const pseudo of ['::before', '::after']) {
        const content = win.getComputedStyle(part, pseudo).content;
        if (content !== 'none' && content !== 'normal') return null;
      }
    }
    const text = String(el.textContent ?? '');
    return text.trim() ? text : null;
  });
  if (names.some((n) => n === null)) return null;
  const wanted = query.name.replace(/\s+/g, ' ').trim();
  return shown.filter((_, i) => {
    const name = String(names[i]).replace(/\s+/g, ' ').trim();
    return query.exact ? name === wanted : name.toLowerCase().includes(wanted.toLowerCase());
  });
};

/** In the page: what `locator.first()` says of each query (see {@link probeTargets}). */
export const PROBE_IN_PAGE = (dom: PageDom, find: typeof FIND_IN_PAGE, list: readonly (ProbeQuery | null)[]): (Probe | null)[] => {
  const win = globalThis as any;
  const all = Array.from(win.document.querySelectorAll('*'));
  return list.map((query) => {
    if (!query) return null;
    const matches = find(dom, query, all) as any[] | null;
    if (!matches) return null;
    if (matches.length === 0) return { count: 0, visible: false, text: null };
    const first = matches[0];
    // Playwright reads a `display: contents` element's visibility from its children: leave it to the locator.
    if (win.getComputedStyle(first).display === 'contents') return null;
    return { count: matches.length, visible: dom.shown(first), text: first.textContent as string | null };
  });
};

/**
 * Reads targets in one round-trip, in the page's own world. Each answer is what
 * `locator.first().isVisible()` / `.textContent()` would give, or undefined when the page
 * cannot tell it exactly as the locator would: the caller then asks the locator. Never waits.
 */
export async function probeTargets(page: Page, queries: readonly (ProbeQuery | undefined)[]): Promise<(Probe | undefined)[]> {
  if (queries.every((q) => q === undefined)) return queries.map(() => undefined);
  const list = JSON.stringify(queries.map((q) => q ?? null));
  const answers = (await page.evaluate(`(${String(PROBE_IN_PAGE)})(${DOM_IN_PAGE}, ${String(FIND_IN_PAGE)}, ${list})`)) as (Probe | null)[];
  return answers.map((a) => a ?? undefined);
}
