/**
 * The checks the runner's page code makes of an element (shown, enabled, a text field, in a
 * shadow root or a frame, on top at a point) written once, as Playwright's actions read them, and
 * shipped with each piece of page code in the same `evaluate`: no round-trip of their own, no
 * script installed in the page (which the page could see or overwrite).
 *
 * Page code cannot close over a module's functions: Playwright ships a function's source, not
 * what it refers to. So the helpers travel as source too, built in the page at each call (a few
 * microseconds): {@link DOM_IN_PAGE} in a page-code string, {@link withPageDom} around a function
 * given to `evaluate`. They are methods, not arrow functions held in properties: under tsx,
 * keepNames wraps a function assigned to a name or a property in a call to a `__name` helper the
 * page does not have, and leaves methods as they are (tests/runner/page-code.test.ts holds that).
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- page code: this project compiles without the DOM library */

/**
 * In the page: builds the helpers. Typed loosely: elements are `any` here, as the project has no
 * DOM types.
 */
export const PAGE_DOM = () => {
  const win = globalThis as any;
  return {
    /**
     * Some element of the document hosts a shadow root. Playwright's engines look inside shadow
     * roots, `querySelectorAll` does not: page code leaves such a page to the locator.
     * `all` is the document's elements when the caller has them already.
     */
    shadowed(all?: readonly any[]): boolean {
      return (all ?? (Array.from(win.document.querySelectorAll('*')) as any[])).some((el) => el.shadowRoot);
    },
    /** The element is in a shadow root, or the document in a frame: left to Playwright, which crosses both. */
    apart(el: any): boolean {
      return el.getRootNode() !== win.document || win !== win.top;
    },
    /**
     * Rendered with `visibility: visible`: not in a `display: none` subtree nor skipped
     * (`checkVisibility`). What `getByRole` reads as not hidden, and half of "visible".
     */
    styleVisible(el: any): boolean {
      return el.checkVisibility() && win.getComputedStyle(el).visibility === 'visible';
    },
    /**
     * Visible as Playwright's `isVisible` and its actions say it: {@link styleVisible} with a box of
     * some size. False for `display: contents`, which has no box of its own (Playwright looks at its
     * children: a caller that must answer as Playwright does checks that first).
     */
    shown(el: any): boolean {
      if (win.getComputedStyle(el).display === 'contents' || !this.styleVisible(el)) return false;
      const rect = el.getBoundingClientRect();
      return rect.width > 0 && rect.height > 0;
    },
    /**
     * Enabled as an action waits for: not `:disabled` (itself or by its fieldset), not inside an
     * `aria-disabled="true"` element.
     */
    enabled(el: any): boolean {
      return !el.matches(':disabled') && !el.closest('[aria-disabled="true" i]');
    },
    /** A field that takes typed text: a textarea or a text-like input (not a date, number or picker). */
    textField(el: any): boolean {
      return el.nodeName === 'TEXTAREA' || (el.nodeName === 'INPUT' && ['text', 'search', 'tel', 'url', 'password', 'email'].includes(String(el.type).toLowerCase()));
    },
    /**
     * The element on top at the point (x, y) of the viewport when it is `el` or inside it, as a
     * mouse there would reach it; null when something else covers the point.
     */
    hitAt(el: any, x: number, y: number): any {
      const hit = win.document.elementFromPoint(x, y);
      return hit && el.contains(hit) ? hit : null;
    },
  };
};

/** The helpers as page code receives them. */
export type PageDom = ReturnType<typeof PAGE_DOM>;

/** The helpers built in the page, as an expression to put in a page-code string. */
export const DOM_IN_PAGE = `(${String(PAGE_DOM)})()`;

/**
 * A function for Playwright's `evaluate(fn, arg)` (a page's, a locator's) that calls `fn` with
 * the helpers first, then what Playwright passes (the element, the argument). Build it once, at
 * module level: Playwright ships its source, which holds both `fn`'s and the helpers'.
 */
export function withPageDom<A extends unknown[], R>(fn: (dom: PageDom, ...args: A) => R): (...args: A) => R {
  // Source of this module's own functions, for the page; never called in Node.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('...args', `return (${String(fn)})(${DOM_IN_PAGE}, ...args);`) as (...args: A) => R;
}
