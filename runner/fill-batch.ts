import type { Page } from 'playwright';
import { formatFrenchDate } from '../domain/french-formats.ts';
import type { ScreenIndex, Step, StepContext } from '../scenarios/dsl/index.ts';
import { resolveChecked, resolveTarget, resolveValue } from './locate.ts';
import { type PageDom, withPageDom } from './page-dom.ts';

/**
 * One form step (`fill`, `date`, `select`, `check`) made ready to be applied in the page with
 * others, in one round-trip. Only what the page can find exactly as Playwright's locator
 * would is batched: a field found by its label or by CSS.
 */
export interface BatchField {
  kind: 'fill' | 'select' | 'check';
  label?: string;
  exact?: boolean;
  css?: string;
  /** `fill`: the text; `select`: the option's value or label. */
  value?: string;
  /** `date`: ISO for a date picker, dd/mm/yyyy for a text field (what the page's `type` says). */
  date?: { iso: string; french: string };
  /** `check`: ticked or not. */
  checked?: boolean;
}

/**
 * How a batch went. `applied` steps, from the first, were found and set (the rest could not be
 * found as the locator would, and are left to the step-by-step path); `rewritten` is the index
 * of a field that no longer held its value once every field was set (a page script rewrote
 * it), or -1.
 */
export interface BatchResult {
  applied: number;
  rewritten: number;
}

/**
 * The step as a batch field, or undefined when it must run on its own: a `typed` field (real
 * keystrokes), a target found by role, a value the scenario's code cannot
 * compute (the step on its own then fails with the right message), a date that is not ISO.
 */
export function batchFieldOf<Row>(step: Step<Row>, ctx: StepContext<Row>, screens: ScreenIndex): BatchField | undefined {
  if (step.action !== 'fill' && step.action !== 'date' && step.action !== 'select' && step.action !== 'check') return undefined;
  try {
    const { target } = resolveTarget(step.target, ctx, screens);
    if ('typed' in target && target.typed) return undefined;
    const where: Pick<BatchField, 'label' | 'exact' | 'css'> | undefined =
      target.by === 'label' ? { label: target.label, exact: target.exact ?? true } : target.by === 'css' ? { css: target.css } : undefined;
    if (!where) return undefined;
    switch (step.action) {
      case 'fill':
        return { kind: 'fill', ...where, value: resolveValue(step.value, ctx) };
      case 'date': {
        const iso = resolveValue(step.value, ctx);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return undefined;
        return { kind: 'fill', ...where, date: { iso, french: formatFrenchDate(iso) } };
      }
      case 'select':
        return { kind: 'select', ...where, value: resolveValue(step.value, ctx) };
      case 'check':
        return { kind: 'check', ...where, checked: resolveChecked(step.value, ctx) };
    }
  } catch {
    return undefined;
  }
}

/**
 * Sets every field in one `evaluate`, as Playwright's `fill`, `selectOption` and `setChecked`
 * would, then reads them all back. Each field is found the way its locator finds it (a label
 * through `<label for>`, a wrapping label, `aria-labelledby` or `aria-label`, exact or not;
 * CSS), and must be the only match, visible, enabled and editable; the first that is not stops
 * the batch there, untouched, for the step-by-step path to wait for it or name it. A field gets
 * focus, its value through the element's own setter, `input` and `change`, then loses focus
 * (`blur`): the events a page's scripts listen to.
 */
export async function applyFields(page: Page, fields: readonly BatchField[]): Promise<BatchResult> {
  return page.evaluate(APPLY_FIELDS, fields);
}

/**
 * In the page: {@link applyFields}' work. Typed loosely: this project compiles without the DOM
 * library. No named helper in here: under tsx (keepNames) it would call a `__name` the page does
 * not have.
 */
export const APPLY_IN_PAGE = (dom: PageDom, list: readonly BatchField[]): BatchResult => {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const doc = (globalThis as any).document;
  const win = globalThis as any;
  const found: { el: any; set: string | number | boolean }[] = [];
  if (dom.shadowed()) return { applied: 0, rewritten: -1 };
  // Labelled elements, as Playwright's label engine reads them; built once, on first need.
  let labelled: { el: any; texts: string[] }[] | undefined;
  for (const field of list) {
    let matches: any[] = [];
    if (field.css !== undefined) {
      try {
        matches = Array.from(doc.querySelectorAll(field.css));
      } catch {
        break; // Playwright's own selector syntax: the locator will read it.
      }
    } else {
      if (!labelled) {
        labelled = [];
        for (const el of Array.from(doc.querySelectorAll('*')) as any[]) {
          let sources: any[] = [];
          const refs: any[] = el.ariaLabelledByElements ?? String(el.getAttribute('aria-labelledby') ?? '').split(/[ \t\n\f\r]+/).filter((id: string) => id).map((id: string) => doc.getElementById(id)).filter((ref: any) => ref);
          let texts: string[] | undefined;
          if (refs.length > 0) sources = refs;
          else if (el.getAttribute('aria-label') !== null && el.getAttribute('aria-label').trim()) texts = [el.getAttribute('aria-label')];
          else if (['BUTTON', 'METER', 'OUTPUT', 'PROGRESS', 'SELECT', 'TEXTAREA'].includes(el.nodeName) || (el.nodeName === 'INPUT' && el.type !== 'hidden')) sources = Array.from(el.labels ?? []);
          if (!texts) {
            texts = [];
            for (const source of sources) {
              // The label's text as Playwright reads it: every text node, scripts and styles left out.
              let full = '';
              const stack: any[] = [source];
              while (stack.length > 0) {
                const node = stack.pop();
                if (node.nodeType === 3) full += node.nodeValue ?? '';
                else if (node.nodeType === 1 && !['SCRIPT', 'NOSCRIPT', 'STYLE'].includes(node.nodeName)) {
                  if (node === source && node.nodeName === 'INPUT' && ['submit', 'button', 'reset'].includes(node.type)) full += node.value;
                  for (let child = node.lastChild; child; child = child.previousSibling) stack.push(child);
                }
              }
              texts.push(full);
            }
          }
          if (texts.length > 0) labelled.push({ el, texts: texts.map((t) => t.replace(/[\u200b\u00ad]/g, '').trim().replace(/\s+/g, ' ')) });
        }
      }
      const wanted = String(field.label).replace(/[\u200b\u00ad]/g, '').trim().replace(/\s+/g, ' ');
      matches = labelled.filter((l) => l.texts.some((t) => (field.exact === false ? t.toLowerCase().includes(wanted.toLowerCase()) : t === wanted))).map((l) => l.el);
    }
    // One element, as a strict locator wants; shown and usable, as an action waits for.
    if (matches.length !== 1) break;
    const el = matches[0];
    if (!dom.shown(el) || !dom.enabled(el)) break;
    if (field.kind === 'fill') {
      // A date picker too: its value is set, not typed.
      if (!(dom.textField(el) || (el.nodeName === 'INPUT' && el.type === 'date')) || el.readOnly) break;
      const value = field.date ? (el.getAttribute('type') === 'date' ? field.date.iso : field.date.french) : String(field.value);
      // A longer value would be cut by typing, not by a setter: leave it to the locator.
      if (el.maxLength >= 0 && value.length > el.maxLength) break;
      el.focus();
      Object.getOwnPropertyDescriptor(el.nodeName === 'TEXTAREA' ? win.HTMLTextAreaElement.prototype : win.HTMLInputElement.prototype, 'value')!.set!.call(el, value);
      el.dispatchEvent(new win.InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: value }));
      el.dispatchEvent(new win.Event('change', { bubbles: true }));
      el.blur();
      found.push({ el, set: value });
    } else if (field.kind === 'select') {
      if (el.nodeName !== 'SELECT' || el.multiple) break;
      const option = (Array.from(el.options) as any[]).find((o) => o.value === field.value || o.label === field.value);
      if (!option || option.disabled) break;
      el.focus();
      el.selectedIndex = option.index;
      el.dispatchEvent(new win.Event('input', { bubbles: true, composed: true }));
      el.dispatchEvent(new win.Event('change', { bubbles: true }));
      el.blur();
      found.push({ el, set: option.index });
    } else {
      if (el.nodeName !== 'INPUT' || !['checkbox', 'radio'].includes(el.type)) break;
      // A radio button is not unticked by clicking it: Playwright refuses, so does the locator.
      if (el.type === 'radio' && field.checked === false) break;
      if (el.checked !== field.checked) {
        el.focus();
        el.click(); // click, input and change, as the browser sends them for a click
        el.blur();
      }
      found.push({ el, set: field.checked === true });
    }
  }
  // Read back once every field is set: a later field's events may have rewritten an earlier one.
  const rewritten = found.findIndex((f) => !f.el.isConnected || (typeof f.set === 'string' ? f.el.value !== f.set : typeof f.set === 'number' ? f.el.selectedIndex !== f.set : f.el.checked !== f.set));
  return { applied: found.length, rewritten };
};

/** {@link APPLY_IN_PAGE} for `page.evaluate(fn, fields)`, the helpers of `page-dom.ts` shipped with it. */
export const APPLY_FIELDS = withPageDom(APPLY_IN_PAGE);
