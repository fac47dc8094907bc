import { errors, type Page } from 'playwright';
import { BackOfficeUnavailable, ProwebError, ScreenChanged, type StepLocation } from '../core/errors.ts';
import { describeTarget, type Step, type StepContext, type Value } from '../scenarios/dsl/index.ts';
import { locate, resolveTarget } from './locate.ts';

/** Resolves a literal or computed value. */
export function resolveValue<Row>(value: Value<Row>, ctx: StepContext<Row>): string {
  return typeof value === 'function' ? value(ctx) : value;
}

/** Where a step is, for errors: scenario, index, action and the target it looks for. */
export function locationOf<Row>(owner: string, index: number, step: Step<Row>, ctx: StepContext<Row>): StepLocation {
  const target = 'target' in step ? step.target : step.action === 'rejectIf' ? step.when : step.action === 'guard' ? step.found : undefined;
  return {
    scenarioId: owner,
    stepIndex: index,
    step: step.note ? `${step.action}: ${step.note}` : step.action,
    ...(target === undefined ? {} : { target: describeTarget(resolveTarget(target, ctx)) }),
  };
}

/**
 * Turns what Playwright throws into errors that say what to do: a timeout waiting for
 * an element means the screen changed; a network error means the application is down.
 */
export function explainFailure(error: unknown, at: StepLocation, timeoutMs: number): Error {
  if (error instanceof ProwebError) return error;
  if (error instanceof errors.TimeoutError) {
    return new ScreenChanged(at, `nothing matched on screen within ${timeoutMs} ms`, { cause: error });
  }
  const message = (error as Error)?.message ?? String(error);
  if (/net::ERR_|ECONNREFUSED|ECONNRESET|Navigation failed/i.test(message)) {
    return new BackOfficeUnavailable(at, message.split('\n')[0] ?? message, { cause: error });
  }
  return error instanceof Error ? error : new Error(message);
}

/**
 * Performs a step that only acts on the current page (fill, select, click, expect,
 * extract). Returns the extracted variable, if any. Navigation-aware steps (goto,
 * guard, rejectIf, submit) are the dossier's business: see `dossier.ts`.
 */
export async function performPageStep<Row>(
  page: Page,
  step: Step<Row>,
  ctx: StepContext<Row>,
  at: StepLocation,
  timeoutMs: number,
): Promise<{ name: string; value: string } | undefined> {
  switch (step.action) {
    case 'fill':
      await locate(page, resolveTarget(step.target, ctx)).fill(resolveValue(step.value, ctx), { timeout: timeoutMs });
      return undefined;
    case 'select':
      await locate(page, resolveTarget(step.target, ctx)).selectOption(resolveValue(step.value, ctx), { timeout: timeoutMs });
      return undefined;
    case 'click':
      await locate(page, resolveTarget(step.target, ctx)).click({ timeout: timeoutMs });
      await page.waitForLoadState('load', { timeout: timeoutMs });
      return undefined;
    case 'expect': {
      const element = locate(page, resolveTarget(step.target, ctx)).first();
      await element.waitFor({ state: 'visible', timeout: timeoutMs });
      if (step.text !== undefined) {
        const shown = (await element.textContent({ timeout: timeoutMs }))?.trim() ?? '';
        const ok = typeof step.text === 'string' ? shown.includes(step.text) : step.text.test(shown);
        if (!ok) throw new ScreenChanged(at, `expected text ${String(step.text)} but the screen shows "${shown.slice(0, 120)}"`);
      }
      return undefined;
    }
    case 'extract': {
      const shown = (await locate(page, resolveTarget(step.target, ctx)).first().textContent({ timeout: timeoutMs }))?.trim() ?? '';
      if (!step.pattern) return { name: step.as, value: shown };
      const match = step.pattern.exec(shown);
      if (!match) throw new ScreenChanged(at, `"${shown.slice(0, 120)}" does not match ${String(step.pattern)}`);
      return { name: step.as, value: match[1] ?? match[0] };
    }
    default:
      throw new ScreenChanged(at, `step ${step.action} cannot run here`);
  }
}

/** Runs page-only steps in order (a login form, for instance), with errors explained. */
export async function runPlainSteps<Row>(page: Page, owner: string, list: readonly Step<Row>[], ctx: StepContext<Row>, timeoutMs: number): Promise<void> {
  for (const [index, step] of list.entries()) {
    const at = locationOf(owner, index, step, ctx);
    try {
      await performPageStep(page, step, ctx, at, step.timeoutMs ?? timeoutMs);
    } catch (error) {
      throw explainFailure(error, at, step.timeoutMs ?? timeoutMs);
    }
  }
}
