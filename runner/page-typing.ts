import type { Locator } from 'playwright';
import type { Target } from '../scenarios/dsl/index.ts';
import { type PageDom, withPageDom } from './page-dom.ts';

/**
 * In the page: types `text` into the field as a keyboard does, from inside the page: for each
 * character `keydown`, `keypress`, `beforeinput`, the character inserted at the caret with its
 * `input`, then `keyup`; a page script that cancels one of them (an input mask builds the value
 * itself) keeps the character out, as with a real keyboard. A field holding something is first
 * selected and erased with Backspace's events. Returns false, having done nothing, for a field
 * that is not a plain shown, enabled, editable text field (a date picker, say): the caller types
 * with Playwright's keyboard then.
 *
 * Page code, shipped as its source with the helpers of `page-dom.ts` ({@link TYPE_INTO_ELEMENT}
 * is what a locator's `evaluate` takes): no named helper inside (under tsx, keepNames would make
 * it call a `__name` the page does not have).
 */
export const TYPE_IN_PAGE = (dom: PageDom, el: any, text: string): boolean => {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const win = globalThis as any;
  // Natively disabled only, not `dom.enabled`: `pressSequentially`, the fallback, does not wait
  // for an `aria-disabled` field to be enabled either.
  if (!dom.textField(el) || el.readOnly || el.matches(':disabled') || !el.isConnected || !dom.shown(el)) return false;
  // Selection APIs are what insert at the caret: a field without them is left to the keyboard.
  if (typeof el.setRangeText !== 'function' || el.selectionStart === null) return false;
  el.focus();
  const keys: { key: string; data: string | null; code: string; keyCode: number }[] = [];
  if (String(el.value) !== '') keys.push({ key: 'Backspace', data: null, code: 'Backspace', keyCode: 8 });
  for (const ch of Array.from(text)) {
    const upper = ch.toUpperCase();
    const code = /[0-9]/.test(ch) ? `Digit${ch}` : /[a-z]/i.test(ch) ? `Key${upper}` : ch === ' ' ? 'Space' : '';
    const keyCode = /[0-9a-z ]/i.test(ch) ? upper.charCodeAt(0) : ({ '/': 191, '-': 189, '.': 190, ',': 188 } as Record<string, number>)[ch] ?? 0;
    keys.push({ key: ch, data: ch, code, keyCode });
  }
  if (String(el.value) !== '') el.select();
  for (const k of keys) {
    const init = { key: k.key, code: k.code, bubbles: true, cancelable: true, composed: true, view: win };
    // Legacy scripts read keyCode, which and charCode, which an event's constructor cannot set.
    const down = new win.KeyboardEvent('keydown', init);
    const up = new win.KeyboardEvent('keyup', init);
    const press = new win.KeyboardEvent('keypress', init);
    for (const [event, value] of [[down, k.keyCode], [up, k.keyCode], [press, k.data === null ? 0 : k.data.charCodeAt(0)]] as [any, number][]) {
      for (const property of ['keyCode', 'which', 'charCode']) {
        if (property === 'charCode' && event !== press) continue;
        Object.defineProperty(event, property, { value });
      }
    }
    let insert = el.dispatchEvent(down);
    if (insert && k.data !== null) insert = el.dispatchEvent(press);
    const inputType = k.data === null ? 'deleteContentBackward' : 'insertText';
    if (insert) insert = el.dispatchEvent(new win.InputEvent('beforeinput', { bubbles: true, cancelable: true, composed: true, inputType, data: k.data }));
    if (insert) {
      const start = el.selectionStart as number;
      const end = el.selectionEnd as number;
      const full = el.maxLength >= 0 && String(el.value).length - (end - start) >= el.maxLength;
      if (k.data === null) {
        if (start !== end) el.setRangeText('', start, end, 'end');
        else if (start > 0) el.setRangeText('', start - 1, start, 'end');
      } else if (!full) {
        el.setRangeText(k.data, start, end, 'end');
      }
      if (k.data === null || !full) el.dispatchEvent(new win.InputEvent('input', { bubbles: true, composed: true, inputType, data: k.data }));
    }
    el.dispatchEvent(up);
  }
  return true;
};

/** {@link TYPE_IN_PAGE} for a locator's `evaluate(fn, text)`, the helpers shipped with it. */
export const TYPE_INTO_ELEMENT = withPageDom(TYPE_IN_PAGE);

/**
 * Types a `typed` field's value key by key: from inside the page, in one round-trip (see
 * {@link TYPE_IN_PAGE}), unless the screen map marks it `keyboard(...)` or the page cannot take
 * it so; then with Playwright's keyboard, one key at a time.
 *
 * Why: Playwright sends each key through Chromium's input pipeline, some 4 ms a key, a date's ten
 * keys 40 ms; a page's own scripts see the same events from inside, but `event.isTrusted`, which
 * a page that refuses scripted keys checks: that field is marked `keyboard(...)`.
 */
export async function typeValue(field: Locator, target: Target, value: string, timeoutMs: number): Promise<void> {
  const keyboard = 'keyboard' in target && target.keyboard === true;
  if (!keyboard && (await field.evaluate(TYPE_INTO_ELEMENT, value, { timeout: timeoutMs }))) return;
  // A fresh form's field is empty: reading it is one quick call, clearing it a whole action.
  if ((await field.inputValue({ timeout: timeoutMs })) !== '') await field.clear({ timeout: timeoutMs });
  await field.pressSequentially(value, { timeout: timeoutMs });
}
