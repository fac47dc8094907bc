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

/** A value made a CSS identifier (as `CSS.escape` does), for a placeholder outside quotes. */
function cssIdentifier(value: string): string {
  let out = '';
  for (const [i, c] of [...value].entries()) {
    const code = c.codePointAt(0)!;
    if (code === 0) out += '\uFFFD';
    else if ((code >= 1 && code <= 0x1f) || code === 0x7f || (/\d/.test(c) && (i === 0 || (i === 1 && value[0] === '-')))) out += `\\${code.toString(16)} `;
    else if (i === 0 && c === '-' && value.length === 1) out += '\\-';
    else if (code >= 0x80 || /[\w-]/.test(c)) out += c;
    else out += `\\${c}`;
  }
  return out;
}

/** Fills a CSS selector's placeholders, each escaped for where it stands (in a quoted string or not). */
function fillSelector(selector: string, values: Readonly<Record<string, string>>): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i]!;
    if (c === '\\') {
      out += selector.slice(i, i + 2);
      i++;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    const placeholder = c === '{' ? /^\{(\w+)\}/.exec(selector.slice(i)) : null;
    if (placeholder && placeholder[1]! in values) {
      const value = values[placeholder[1]!]!;
      out += quote ? cssString(value) : cssIdentifier(value);
      i += placeholder[0].length - 1;
      continue;
    }
    out += c;
  }
  return out;
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
  return target;
}
