/**
 * How a step finds an element on screen. Labels and roles come first because they
 * are what a human reads and they survive layout changes; CSS is the last resort.
 * The constructors keep their strings' literal types: a `{placeholder}` in them makes a
 * parameterised element (see `params.ts`), whose parameters the compiler then knows.
 */

/** ARIA roles a scenario may target (the ones legacy forms and tables use). */
export const TARGET_ROLES = [
  'button', 'link', 'textbox', 'combobox', 'checkbox', 'radio', 'cell', 'row', 'table',
  'heading', 'alert', 'status', 'tab', 'menuitem', 'option', 'listitem',
] as const;

export type TargetRole = (typeof TARGET_ROLES)[number];

export type LabelTarget<T extends string = string> = { by: 'label'; label: T; exact?: boolean };
export type RoleTarget<T extends string = string> = { by: 'role'; role: TargetRole; name?: T; exact?: boolean };
export type CssTarget<T extends string = string> = { by: 'css'; css: T };

export type Target = LabelTarget | RoleTarget | CssTarget;

/** A form field found by its visible label. */
export const label = <const T extends string>(text: T, exact = true): { by: 'label'; label: T; exact: boolean } => ({ by: 'label', label: text, exact });
/** A button found by its accessible name. */
export const button = <const T extends string>(name: T): { by: 'role'; role: 'button'; name: T; exact: true } => ({ by: 'role', role: 'button', name, exact: true });
/** A link found by its accessible name. */
export const link = <const T extends string>(name: T): { by: 'role'; role: 'link'; name: T; exact: true } => ({ by: 'role', role: 'link', name, exact: true });
/** Any ARIA role, optionally with an accessible name. */
export function role<R extends TargetRole>(r: R): { by: 'role'; role: R };
export function role<R extends TargetRole, const T extends string>(r: R, name: T): { by: 'role'; role: R; name: T; exact: true };
export function role(r: TargetRole, name?: string): RoleTarget {
  return { by: 'role', role: r, ...(name === undefined ? {} : { name, exact: true }) };
}
/** A CSS selector, when nothing a human reads identifies the element. */
export const css = <const T extends string>(selector: T): { by: 'css'; css: T } => ({ by: 'css', css: selector });

/** How a target reads in an error message: `label "Montant (€)"`, `css #ref`. */
export function describeTarget(t: Target): string {
  switch (t.by) {
    case 'label': return `label "${t.label}"`;
    case 'role': return t.name === undefined ? `role ${t.role}` : `${t.role} "${t.name}"`;
    case 'css': return `css ${t.css}`;
  }
}
