import type { Locator, Page } from 'playwright';
import { ScenarioBug, type StepLocation } from '../core/errors.ts';
import { describeElement, describeTarget, fillTarget, type ScreenIndex, type StepContext, type Target, type TargetOf, type Value } from '../scenarios/dsl/index.ts';

/** A target made concrete for this dossier, with how to name it in messages. */
export interface ResolvedTarget {
  target: Target;
  description: string;
}

/**
 * An element reference names nothing in the scenario's screen map, or not with its parameters:
 * the scenario is wrong, not the screen (load time checks what scenarios write; steps built
 * by hand can still be wrong). Thrown where the step is not known (see {@link resolveTarget});
 * a step that meets it fails with a {@link ScenarioBug}.
 */
export class UnknownElementReference extends Error {
  override name = 'UnknownElementReference';
  constructor(
    readonly reference: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** Resolves a literal or computed value: functions get the row and the context. */
export function resolveValue<Row>(value: Value<Row>, ctx: StepContext<Row>): string {
  return typeof value === 'function' ? value(ctx.row, ctx) : value;
}

/** Resolves a `check` step's value: ticked unless it says otherwise, functions get the row and the context. */
export function resolveChecked<Row>(value: boolean | ((row: Row, ctx: StepContext<Row>) => boolean) | undefined, ctx: StepContext<Row>): boolean {
  return typeof value === 'function' ? value(ctx.row, ctx) : (value ?? true);
}

/**
 * Resolves a screen-map reference (a parameterised one with its values filled for this dossier)
 * or a direct target. The description names the element with its placeholders, never the
 * dossier's values (a NIR in a selector stays out of messages).
 */
export function resolveTarget<Row>(target: TargetOf<Row>, ctx: StepContext<Row>, screens: ScreenIndex, at?: StepLocation): ResolvedTarget {
  if (typeof target !== 'string' && !Array.isArray(target)) return { target: target as Target, description: describeTarget(target as Target) };
  const [ref, params] = typeof target === 'string' ? [target, undefined] : (target as readonly [string, Readonly<Record<string, Value<Row>>>]);
  const element = screens.element(ref);
  let problem = typeof element === 'string' ? element : undefined;
  if (typeof element !== 'string') {
    const missing = element.params.filter((p) => params?.[p] === undefined);
    if (missing.length > 0) problem = `${element.ref} needs ${missing.map((m) => `{${m}}`).join(', ')}`;
  }
  if (problem !== undefined || typeof element === 'string') {
    // Load time checked the references scenarios write: one still wrong is a bug of the
    // scenario, which no retry and no other machine can get past.
    if (at) throw new ScenarioBug(at, problem ?? ref);
    throw new UnknownElementReference(ref, problem ?? ref);
  }
  if (element.params.length === 0) return { target: element, description: describeElement(element) };
  const values = Object.fromEntries(element.params.map((p) => [p, resolveValue(params![p]!, ctx)]));
  return { target: fillTarget(element, values), description: describeElement(element) };
}

/** The Playwright locator for a target: labels and roles through Playwright's accessibility queries. */
export function locate(page: Page, target: Target): Locator {
  switch (target.by) {
    case 'label': return page.getByLabel(target.label, { exact: target.exact ?? true });
    case 'role': return page.getByRole(target.role, target.name === undefined ? {} : { name: target.name, exact: target.exact ?? true });
    case 'css': return page.locator(target.css);
  }
}
