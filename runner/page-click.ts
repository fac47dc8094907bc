import { errors, type Frame, type Locator, type Page } from 'playwright';
import type { Target } from '../scenarios/dsl/index.ts';
import { DOM_IN_PAGE, type PageDom, withPageDom } from './page-dom.ts';
import { FIND_IN_PAGE, probeQueryOf, type ProbeQuery } from './page-probe.ts';

/** How a click made in the page went: not made (the locator's own click must do it), or made. */
export type PageClick = { clicked: false; why: string } | { clicked: true; navigates: boolean };

/**
 * Clicks an element from inside the page, in one round-trip, when it is plainly clickable: the
 * element the locator finds (strict, as a click is) is shown, enabled, and on top at its centre
 * once scrolled into view. Resolves once a navigation the click started has committed and its
 * document is parsed, as Playwright's click does. Resolves `clicked: false`, having done
 * nothing, for anything else (hidden, disabled, covered, in a shadow root, opening another
 * window or frame): the caller then clicks with Playwright, which waits and explains.
 *
 * Why: Playwright's click checks that the element stays still over two animation frames and
 * sends real mouse events, about 70 ms a click with headless Chromium, most of a form's time
 * on a fast back office. The page's own `click()` runs the same handlers (`click`, the form's
 * `submit` and its validation, a link's navigation) with what matters checked first. A page
 * that listens to the pointer itself (`mousedown`, `pointerup`) needs the real thing: its screen
 * map marks the element `pointer(...)` and it is never clicked this way.
 */
export async function clickInPage(page: Page, element: Locator, timeoutMs: number, target?: Target): Promise<PageClick> {
  const main = page.mainFrame();
  let onNavigated: ((frame: Frame) => void) | undefined;
  // Listening before the click: the commit of a fast answer may reach the robot with the click's own reply.
  const committed = new Promise<void>((resolve) => {
    onNavigated = (frame) => {
      if (frame === main) resolve();
    };
    page.on('framenavigated', onNavigated);
  });
  try {
    const result = await inPage(page, element, target, true, timeoutMs);
    if (result.clicked && result.navigates) {
      await withTimeout(committed, timeoutMs, 'the page the click leads to did not come');
      await page.waitForLoadState('domcontentloaded', { timeout: timeoutMs });
    }
    return result;
  } finally {
    if (onNavigated) page.off('framenavigated', onNavigated);
  }
}

/**
 * Whether {@link clickTarget} would click the element from inside the page now (shown, enabled,
 * on top; never a `pointer` element), checked in the same world as the click: a commit asks
 * before taking its claim, and the click that follows finds the page's selector engine built already.
 */
export async function clickableInPage(page: Page, element: Locator, timeoutMs: number, target?: Target): Promise<boolean> {
  return !needsPointer(target) && (await inPage(page, element, target, false, timeoutMs)).clicked;
}

/** The screen map asks for a real mouse click. */
const needsPointer = (target: Target | undefined): boolean => target !== undefined && 'pointer' in target && target.pointer === true;

/**
 * In the page: checks the element as a person pressing it would (shown, enabled, on top at its
 * centre once scrolled into view) and, when `click`, presses it as a mouse does. Page code,
 * shipped as its source with the helpers of `page-dom.ts`: no named helper inside (under tsx,
 * keepNames would make it call a `__name` the page does not have).
 */
export const PRESS_IN_PAGE = (dom: PageDom, el: any, click: boolean): PageClick => {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const win = globalThis as any;
  const doc = win.document;
  if (!el.isConnected) return { clicked: false, why: 'detached' };
  if (dom.apart(el)) return { clicked: false, why: 'in a shadow root or a frame' };
  if (!dom.shown(el)) return { clicked: false, why: 'not shown' };
  if (!dom.enabled(el)) return { clicked: false, why: 'disabled' };
  // Another window or frame would be the click's answer: Playwright follows those.
  const opener = el.closest('a[href], area[href]');
  const form = el.form ?? null;
  const targets = [opener?.getAttribute('target'), form?.getAttribute('target'), el.getAttribute('formtarget')];
  if (targets.some((t) => t !== null && t !== undefined && t !== '' && t.toLowerCase() !== '_self') || opener?.hasAttribute('download')) {
    return { clicked: false, why: 'opens another window' };
  }
  let rect = el.getBoundingClientRect();
  if (rect.top < 0 || rect.left < 0 || rect.bottom > win.innerHeight || rect.right > win.innerWidth) {
    el.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
    rect = el.getBoundingClientRect();
  }
  const hit = dom.hitAt(el, rect.left + rect.width / 2, rect.top + rect.height / 2);
  if (!hit) return { clicked: false, why: 'covered by another element' };
  if (!click) return { clicked: true, navigates: false };

  // What the click starts: a form submitted, a link followed, a script's navigation.
  // Handlers kept in an array, not in named constants: see above about `__name`.
  const seen: { click?: any; submit?: any; navigate?: any } = {};
  const handlers: ((event: any) => void)[] = [
    (event) => { seen.click = event; },
    (event) => { seen.submit = event; },
    (event) => { seen.navigate = event; },
  ];
  win.addEventListener('click', handlers[0], true);
  win.addEventListener('submit', handlers[1], true);
  win.navigation?.addEventListener('navigate', handlers[2]);
  try {
    // The press as a mouse gives it, to the element on top at that point: over, move, down
    // (which moves the focus), up, then the click that runs the activation (submit, follow).
    const x = rect.left + rect.width / 2;
    const y = rect.top + rect.height / 2;
    const mouse = { bubbles: true, cancelable: true, composed: true, view: win, clientX: x, clientY: y, screenX: x, screenY: y, button: 0, detail: 1 };
    const pen = { ...mouse, pointerId: 1, pointerType: 'mouse', isPrimary: true, width: 1, height: 1 };
    hit.dispatchEvent(new win.PointerEvent('pointerover', { ...pen, cancelable: false, buttons: 0 }));
    hit.dispatchEvent(new win.MouseEvent('mouseover', { ...mouse, buttons: 0 }));
    hit.dispatchEvent(new win.PointerEvent('pointermove', { ...pen, buttons: 0 }));
    hit.dispatchEvent(new win.MouseEvent('mousemove', { ...mouse, buttons: 0 }));
    // A cancelled pointerdown suppresses the mouse events that follow it, not the click.
    const pressed = hit.dispatchEvent(new win.PointerEvent('pointerdown', { ...pen, buttons: 1, pressure: 0.5 }));
    if (pressed && hit.dispatchEvent(new win.MouseEvent('mousedown', { ...mouse, buttons: 1 }))) {
      const focusable = hit.closest('a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable=""], [contenteditable="true" i]');
      if (focusable && !focusable.matches(':disabled')) focusable.focus({ preventScroll: true });
      else doc.activeElement?.blur?.();
    }
    if (el.isConnected && dom.hitAt(el, x, y)) {
      hit.dispatchEvent(new win.PointerEvent('pointerup', { ...pen, buttons: 0, pressure: 0 }));
      if (pressed) hit.dispatchEvent(new win.MouseEvent('mouseup', { ...mouse, buttons: 0 }));
      hit.click();
    }
  } finally {
    win.removeEventListener('click', handlers[0], true);
    win.removeEventListener('submit', handlers[1], true);
    win.navigation?.removeEventListener('navigate', handlers[2]);
  }
  const here = String(win.location.href).split('#')[0];
  let navigates = false;
  if (seen.navigate && !seen.navigate.destination.sameDocument) navigates = true;
  if (seen.submit && !seen.submit.defaultPrevented && String(seen.submit.target?.method ?? '').toLowerCase() !== 'dialog') navigates = true;
  if (seen.click && !seen.click.defaultPrevented && opener) {
    const href = String(opener.href);
    if (!href.toLowerCase().startsWith('javascript:') && href.split('#')[0] !== here) navigates = true;
  }
  return { clicked: true, navigates };
};

/** {@link PRESS_IN_PAGE} for a locator's `evaluate(fn, click)`, the helpers shipped with it. */
export const PRESS_ELEMENT = withPageDom(PRESS_IN_PAGE);

/** In the page: finds the element by its query in the page's own world, then {@link PRESS_IN_PAGE}; null when not found there exactly once. */
export const FIND_AND_PRESS = (dom: PageDom, find: typeof FIND_IN_PAGE, press: typeof PRESS_IN_PAGE, query: ProbeQuery, click: boolean): PageClick | null => {
  const found = find(dom, query);
  return found && found.length === 1 ? press(dom, found[0], click) : null;
};

/**
 * Presses (or checks) the element: found in the page's own world when its target allows (no
 * selector engine to build in the document), else through its locator, which waits for it.
 */
async function inPage(page: Page, element: Locator, target: Target | undefined, click: boolean, timeoutMs: number): Promise<PageClick> {
  const query = target ? probeQueryOf(target) : undefined;
  if (query) {
    const done = (await page.evaluate(`(${String(FIND_AND_PRESS)})(${DOM_IN_PAGE}, ${String(FIND_IN_PAGE)}, ${String(PRESS_IN_PAGE)}, ${JSON.stringify(query)}, ${JSON.stringify(click)})`)) as PageClick | null;
    if (done) return done;
  }
  return element.evaluate(PRESS_ELEMENT, click, { timeout: timeoutMs });
}

function withTimeout(promise: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new errors.TimeoutError(`Timeout ${ms}ms exceeded: ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * Clicks a target as a step does: from inside the page when it can (see {@link clickInPage}),
 * else, or for a `pointer` element, with Playwright's own click; then waits for the document
 * a navigation brings.
 */
export async function clickTarget(page: Page, element: Locator, target: Target, timeoutMs: number): Promise<void> {
  if (!needsPointer(target)) {
    const done = await clickInPage(page, element, timeoutMs, target);
    if (done.clicked) return;
  }
  await element.click({ timeout: timeoutMs });
  // The next step needs the new document, which it searches itself: not its images and styles.
  await page.waitForLoadState('domcontentloaded', { timeout: timeoutMs });
}
