import type { Locator, Page } from 'playwright';
import { ScenarioBug, type StepLocation } from '../core/errors.ts';
import { describeElement, describeTarget, type ScreenIndex, type StepContext, type Target, type TargetOf } from '../scenarios/dsl/index.ts';

/** A target made concrete for this dossier, with how to name it in messages. */
export interface ResolvedTarget {
  target: Target;
  description: string;
}

/**
 * A computed element reference names nothing in the scenario's screen map: the scenario's
 * code is wrong, not the screen. Thrown where the step is not known (see {@link resolveTarget});
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

/** Resolves a screen-map reference or a direct target, computed from the dossier if need be. */
export function resolveTarget<Row>(target: TargetOf<Row>, ctx: StepContext<Row>, screens: ScreenIndex, at?: StepLocation): ResolvedTarget {
  const value = typeof target === 'function' ? target(ctx) : target;
  if (typeof value !== 'string') return { target: value, description: describeTarget(value) };
  const element = screens.element(value);
  if (typeof element === 'string') {
    // References written literally were checked at load time; a computed one can still be wrong:
    // a bug of the scenario, which no retry and no other machine can get past.
    if (at) throw new ScenarioBug(at, element);
    throw new UnknownElementReference(value, element);
  }
  return { target: element, description: describeElement(element) };
}

/** The Playwright locator for a target: labels and roles through Playwright's accessibility queries. */
export function locate(page: Page, target: Target): Locator {
  switch (target.by) {
    case 'label': return page.getByLabel(target.label, { exact: target.exact ?? true });
    case 'role': return page.getByRole(target.role, target.name === undefined ? {} : { name: target.name, exact: target.exact ?? true });
    case 'text': return page.getByText(target.text, { exact: target.exact ?? false });
    case 'css': return page.locator(target.css);
  }
}
