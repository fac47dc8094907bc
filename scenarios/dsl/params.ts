import type { Target } from './targets.ts';

/**
 * `{placeholders}` in a screen path or in a screen-map element's strings. A path's are filled by
 * `open`; an element's make it parameterised (a payment row for a scheme and period): each step
 * that names it gives its values. Computed from the literal strings, so the compiler knows them.
 */
export type Placeholders<T> = T extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** The parameters of an element: the placeholders of its selector, label or name. */
export type ElementParams<E> =
  E extends { by: 'css'; css: infer C } ? Placeholders<C>
  : E extends { by: 'label'; label: infer L } ? Placeholders<L>
  : E extends { by: 'role'; name: infer N } ? Placeholders<N>
  : never;

const PLACEHOLDER = /\{(\w+)\}/g;

/** The placeholder names of a string, in order, each once. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** The string of a target that may hold placeholders (its selector, label or name). */
function templateOf(target: Target): string | undefined {
  switch (target.by) {
    case 'css': return target.css;
    case 'label': return target.label;
    case 'role': return target.name;
  }
}

/** The parameters of an element at run time (see {@link ElementParams}). */
export function elementParams(target: Target): string[] {
  const template = templateOf(target);
  return template === undefined ? [] : placeholdersOf(template);
}

/** A value made safe inside a quoted CSS string: backslashes, quotes and line breaks escaped. */
function cssString(value: string): string {
  return value.replace(/[\\"']/g, (c) => `\\${c}`).replace(/[\n\r\f]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `);
}

/** A `{placeholder}` of a CSS selector: where it stands, and whether inside a quoted attribute value. */
interface CssPlaceholder {
  name: string;
  index: number;
  length: number;
  inAttributeValue: boolean;
}

/** The placeholders of a CSS selector, read as CSS reads it (escapes, quoted strings, attribute brackets). */
function cssPlaceholders(selector: string): CssPlaceholder[] {
  const found: CssPlaceholder[] = [];
  let quote: string | undefined;
  let brackets = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') brackets++;
    else if (c === ']') brackets = Math.max(0, brackets - 1);
    const placeholder = c === '{' ? /^\{(\w+)\}/.exec(selector.slice(i)) : null;
    if (placeholder) {
      found.push({ name: placeholder[1]!, index: i, length: placeholder[0].length, inAttributeValue: quote !== undefined && brackets > 0 });
      i += placeholder[0].length - 1;
    }
  }
  return found;
}

/**
 * The placeholders of a CSS selector that stand outside a quoted attribute value (`#detach-{rang}`,
 * `[data-x={p}]`): refused when the application is defined. Filled there, a value would have to be
 * escaped as an identifier (`\\31 85...` for a NIR), a form the scrubber does not recognise, so an
 * error quoting the filled selector could carry personal data in clear. In `[data-x="{p}"]` it is
 * the value itself, its quotes and backslashes escaped.
 */
export function unquotedCssPlaceholders(selector: string): string[] {
  return [...new Set(cssPlaceholders(selector).filter((p) => !p.inAttributeValue).map((p) => p.name))];
}

/** Fills a CSS selector's placeholders, each inside a quoted attribute value, escaped as a CSS string. */
function fillSelector(selector: string, values: Readonly<Record<string, string>>): string {
  let out = '';
  let from = 0;
  for (const placeholder of cssPlaceholders(selector)) {
    if (!(placeholder.name in values)) continue;
    // The loader refuses these (see unquotedCssPlaceholders); a target that bypassed it fails here, its value unused.
    if (!placeholder.inAttributeValue) throw new Error(`css ${selector}: {${placeholder.name}} is outside a quoted attribute value: write [data-x="{${placeholder.name}}"]`);
    out += selector.slice(from, placeholder.index) + cssString(values[placeholder.name]!);
    from = placeholder.index + placeholder.length;
  }
  return out + selector.slice(from);
}

/** Fills plain text's placeholders (a label, an accessible name). */
function fillText(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}

/** An element with its placeholders filled for one dossier. */
export function fillTarget<T extends Target>(target: T, values: Readonly<Record<string, string>>): T {
  switch (target.by) {
    case 'css': return { ...target, css: fillSelector(target.css, values) };
    case 'label': return { ...target, label: fillText(target.label, values) };
    case 'role': return target.name === undefined ? target : { ...target, name: fillText(target.name, values) };
  }
}
