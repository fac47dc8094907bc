import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright';
import { scrubber as patternsOnly, type Scrubber } from '../core/personal-data.ts';
import type { Target } from '../scenarios/dsl/index.ts';
import { locate } from './locate.ts';

/** The colour of the boxes drawn over personal elements in screenshots (Playwright's own default, made explicit). */
export const EVIDENCE_MASK_COLOR = '#FF00FF';

/** What replaces the text and values of personal elements in the kept HTML. */
export const EVIDENCE_MASK_TEXT = '***';

/** What may not be kept in clear. */
export interface EvidencePrivacy {
  /** The elements the screen maps mark personal (absent ones mask nothing). */
  personal: readonly Target[];
  /** The dossier's scrubber: its declared values and the patterns, applied to the whole HTML. */
  scrubber: Scrubber;
}

/** Marks personal elements in the live page for the HTML copy; removed once the copy is made. */
const MARK = 'data-proweb-personal';

/** Attributes of a personal element kept as they are: they shape the page, they hold no value. */
const STRUCTURAL_ATTRIBUTES = [
  'id', 'class', 'style', 'for', 'role', 'type', 'name', 'colspan', 'rowspan', 'scope', 'readonly', 'disabled', 'maxlength',
  'aria-required', 'aria-invalid', 'aria-describedby', 'aria-labelledby', 'aria-label',
];

/**
 * Keeps what a human needs to understand a failure: a full-page screenshot and the
 * page's HTML, both without the personal data on screen (RGPD). The screenshot has
 * the personal elements painted over; the HTML has their text and values replaced,
 * every form field's value removed, and whatever personal value is left elsewhere
 * (an attribute, a URL, a script) masked by the dossier's scrubber. Never throws:
 * evidence must not hide the failure it documents; what cannot be made safe is not kept.
 */
export async function keepEvidence(page: Page, dir: string, name: string, privacy: EvidencePrivacy = { personal: [], scrubber: patternsOnly }): Promise<string[]> {
  const kept: string[] = [];
  let base: string;
  try {
    await mkdir(dir, { recursive: true });
    base = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  } catch {
    return kept;
  }
  const masks = privacy.personal.map((target) => locate(page, target));
  try {
    await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5_000, mask: masks, maskColor: EVIDENCE_MASK_COLOR });
    kept.push(`${base}.png`);
  } catch {
    // A closed or crashed page leaves nothing to keep; the error itself still says what failed.
  }
  try {
    const html = await maskedHtml(page, masks);
    await writeFile(`${base}.html`, privacy.scrubber.text(html));
    kept.push(`${base}.html`);
  } catch {
    // Not made safe (the page navigated or closed meanwhile): better no HTML than one in clear.
  }
  return kept;
}

/**
 * The page's HTML with personal elements' text and values replaced and form values removed.
 * Works on a copy of the document, so the page itself is left as it was (but for the marks,
 * set and removed again, which tell the copy which elements the locators found).
 */
async function maskedHtml(page: Page, masks: readonly Locator[]): Promise<string> {
  // Runs in the page: typed structurally, as this project compiles without the DOM library.
  interface Marked { setAttribute(n: string, v: string): void; removeAttribute(n: string): void }
  try {
    for (const mask of masks) {
      await mask.evaluateAll((els, attribute) => (els as unknown as Marked[]).forEach((el) => el.setAttribute(attribute, '')), MARK);
    }
    return await page.evaluate(
      ({ attribute, masked, structural }) => {
        interface Node { nodeType: number; nodeValue: string | null; childNodes: ArrayLike<Node> }
        interface Elem extends Node {
          tagName: string;
          attributes: ArrayLike<{ name: string }>;
          getAttribute(n: string): string | null;
          setAttribute(n: string, v: string): void;
          removeAttribute(n: string): void;
          querySelectorAll(s: string): ArrayLike<Elem>;
          cloneNode(deep: boolean): Elem;
          outerHTML: string;
          textContent: string | null;
        }
        const doc = (globalThis as unknown as { document: { documentElement: Elem; doctype: { name: string } | null } }).document;
        const copy = doc.documentElement.cloneNode(true);
        for (const el of Array.from(copy.querySelectorAll(`[${attribute}]`))) {
          el.removeAttribute(attribute);
          // A loop, not a named helper: under tsx (keepNames) a named function gets a `__name`
          // call that does not exist in the page, and the whole evaluation fails.
          const pending: Node[] = [el];
          while (pending.length > 0) {
            const node = pending.pop()!;
            if (node.nodeType === 3 && node.nodeValue && node.nodeValue.trim() !== '') node.nodeValue = masked;
            pending.push(...Array.from(node.childNodes));
          }
          // Any attribute but the page's structure may carry the value: value, title, href, data-nir.
          for (const inner of [el, ...Array.from(el.querySelectorAll('*'))]) {
            for (const { name } of Array.from(inner.attributes)) if (!structural.includes(name)) inner.setAttribute(name, masked);
          }
        }
        // Form fields: what a person or the robot typed is none of the evidence's business.
        for (const field of Array.from(copy.querySelectorAll('input, textarea'))) {
          const type = (field.getAttribute('type') ?? 'text').toLowerCase();
          if (field.tagName === 'TEXTAREA') field.textContent = '';
          else if (!['submit', 'button', 'reset', 'image', 'checkbox', 'radio'].includes(type)) field.removeAttribute('value');
        }
        return `${doc.doctype ? `<!DOCTYPE ${doc.doctype.name}>` : ''}${copy.outerHTML}`;
      },
      { attribute: MARK, masked: EVIDENCE_MASK_TEXT, structural: STRUCTURAL_ATTRIBUTES },
    );
  } finally {
    // The page is reused only after a recycle, but leave it as found all the same.
    for (const mask of masks) {
      await mask.evaluateAll((els, attribute) => (els as unknown as Marked[]).forEach((el) => el.removeAttribute(attribute)), MARK).catch(() => undefined);
    }
  }
}
