/**
 * How a step finds an element on screen. Labels and roles come first because they
 * are what a human reads and they survive layout changes; CSS is the last resort.
 */

/** ARIA roles a scenario may target (the ones legacy forms and tables use). */
export const TARGET_ROLES = [
  'button', 'link', 'textbox', 'combobox', 'checkbox', 'radio', 'cell', 'row', 'table',
  'heading', 'alert', 'status', 'tab', 'menuitem', 'option', 'listitem',
] as const;

export type TargetRole = (typeof TARGET_ROLES)[number];

export type Target =
  | { by: 'label'; label: string; exact?: boolean }
  | { by: 'role'; role: TargetRole; name?: string; exact?: boolean }
  | { by: 'text'; text: string; exact?: boolean }
  | { by: 'css'; css: string };

/** A form field found by its visible label. */
export const label = (text: string, exact = true): Target => ({ by: 'label', label: text, exact });
/** A button found by its accessible name. */
export const button = (name: string): Target => ({ by: 'role', role: 'button', name, exact: true });
/** A link found by its accessible name. */
export const link = (name: string): Target => ({ by: 'role', role: 'link', name, exact: true });
/** Any ARIA role, optionally with an accessible name. */
export const role = (r: TargetRole, name?: string): Target => ({ by: 'role', role: r, ...(name === undefined ? {} : { name, exact: true }) });
/** Visible text. */
export const text = (t: string, exact = false): Target => ({ by: 'text', text: t, exact });
/** A CSS selector, when nothing a human reads identifies the element. */
export const css = (selector: string): Target => ({ by: 'css', css: selector });

/** How a target reads in an error message: `label "Montant (€)"`, `css #ref`. */
export function describeTarget(t: Target): string {
  switch (t.by) {
    case 'label': return `label "${t.label}"`;
    case 'role': return t.name === undefined ? `role ${t.role}` : `${t.role} "${t.name}"`;
    case 'text': return `text "${t.text}"`;
    case 'css': return `css ${t.css}`;
  }
}
