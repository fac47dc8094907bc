import type { Locator, Page } from 'playwright';
import type { StepContext, Target, TargetOf } from '../scenarios/dsl/index.ts';

/** Resolves a target that may depend on the dossier. */
export function resolveTarget<Row>(target: TargetOf<Row>, ctx: StepContext<Row>): Target {
  return typeof target === 'function' ? target(ctx) : target;
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
