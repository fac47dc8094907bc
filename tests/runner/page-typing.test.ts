import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../runner/index.ts';
import { TYPE_INTO_ELEMENT, typeValue } from '../../runner/page-typing.ts';
import { css, keyboard, typed } from '../../scenarios/dsl/index.ts';

/**
 * Fields as legacy screens have them: a date mask that builds its value from the keys pressed
 * (and swallows them), a field whose script reads `keyCode` as old scripts do, an autocomplete
 * that reads the value on `keyup`, a field with a value already, one with a maximum length, a
 * date picker. `window.log` keeps what each field saw.
 */
const PAGE = `<!DOCTYPE html><html lang="fr"><body>
<input id="date" data-mask><input id="codes"><input id="ville"><input id="rempli" value="ancien"><input id="court" maxlength="3">
<input id="picker" type="date"><p id="suggestion"></p>
<script>(() => {
window.log = [];
const mask = document.getElementById('date'); let digits = '';
mask.addEventListener('keydown', (e) => {
  e.preventDefault();
  if (/^[0-9]$/.test(e.key) && digits.length < 8) digits += e.key;
  mask.value = digits.slice(0, 2) + (digits.length >= 2 ? '/' + digits.slice(2, 4) : '') + (digits.length >= 4 ? '/' + digits.slice(4) : '');
});
document.getElementById('codes').addEventListener('keydown', (e) => log.push(e.keyCode + ':' + e.which + ':' + e.isTrusted));
document.getElementById('codes').addEventListener('keypress', (e) => log.push('press ' + e.charCode));
const ville = document.getElementById('ville');
for (const type of ['keydown', 'keypress', 'beforeinput', 'input', 'keyup']) ville.addEventListener(type, (e) => log.push(type + (e.data ? ' ' + e.data : '') + (type === 'keyup' ? ' [' + ville.value + ']' : '')));
ville.addEventListener('keyup', () => { document.getElementById('suggestion').textContent = ville.value.length >= 3 ? 'Suggestions pour ' + ville.value : ''; });
})();</script></body></html>`;

let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ browser } = await launchBrowser());
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  await page.setContent(PAGE);
});

const log = () => page.evaluate(() => (globalThis as unknown as { log: string[] }).log);

describe('typing from inside the page', () => {
  it('lets an input mask build the value from the keys, as a keyboard does', async () => {
    expect(await page.locator('#date').evaluate(TYPE_INTO_ELEMENT, '16032020')).toBe(true);
    expect(await page.inputValue('#date')).toBe('16/03/2020');
  });

  it('sends keydown, keypress, beforeinput, the character and its input, then keyup, for each key', async () => {
    await page.locator('#ville').evaluate(TYPE_INTO_ELEMENT, 'Lil');
    expect(await log()).toEqual([
      'keydown', 'keypress', 'beforeinput L', 'input L', 'keyup [L]',
      'keydown', 'keypress', 'beforeinput i', 'input i', 'keyup [Li]',
      'keydown', 'keypress', 'beforeinput l', 'input l', 'keyup [Lil]',
    ]);
    // An autocomplete reading the field on keyup answers as to a person.
    expect(await page.textContent('#suggestion')).toBe('Suggestions pour Lil');
  });

  it('gives old scripts their keyCode, which and charCode', async () => {
    await page.locator('#codes').evaluate(TYPE_INTO_ELEMENT, '7a');
    expect(await log()).toEqual(['55:55:false', 'press 55', '65:65:false', 'press 97']);
    expect(await page.inputValue('#codes')).toBe('7a');
  });

  it('erases what a field holds first, and stops at its maximum length', async () => {
    await page.locator('#rempli').evaluate(TYPE_INTO_ELEMENT, 'neuf');
    await page.locator('#court').evaluate(TYPE_INTO_ELEMENT, '12345');
    expect([await page.inputValue('#rempli'), await page.inputValue('#court')]).toEqual(['neuf', '123']);
  });

  it('leaves a date picker to the keyboard, untouched', async () => {
    expect(await page.locator('#picker').evaluate(TYPE_INTO_ELEMENT, '2020-03-16')).toBe(false);
    expect(await page.inputValue('#picker')).toBe('');
  });
});

describe('typing a typed field as a step does', () => {
  it('types from inside the page, or with the real keyboard for a field marked keyboard(...)', async () => {
    await typeValue(page.locator('#codes'), typed(css('#codes')), '1', 5_000);
    await typeValue(page.locator('#codes'), keyboard(css('#codes')), '2', 5_000);
    expect((await log()).filter((e) => e.includes(':'))).toEqual(['49:49:false', '46:46:true', '50:50:true']);
    expect(await page.inputValue('#codes')).toBe('2');
  });

  it('types a date picker with the keyboard', async () => {
    // The page's locale is en-US: month first.
    await typeValue(page.locator('#picker'), typed(css('#picker')), '03162020', 5_000);
    expect(await page.inputValue('#picker')).toBe('2020-03-16');
  });
});
