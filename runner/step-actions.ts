import { errors, type Page } from 'playwright';
import { BackOfficeUnavailable, ProwebError, ScenarioBug, ScreenChanged, type StepLocation } from '../core/errors.ts';
import { formatFrenchDate, parseAmountToCents, parseFrenchDate } from '../domain/french-formats.ts';
import { ScreenIndex, type Step, type StepContext, type TargetOf } from '../scenarios/dsl/index.ts';
import { locate, resolveChecked, resolveTarget, resolveValue, UnknownElementReference } from './locate.ts';
import { clickTarget } from './page-click.ts';
import { typeValue } from './page-typing.ts';

/** The element a step acts on, if any, for messages. */
function mainTarget<Row>(step: Step<Row>): TargetOf<Row> | undefined {
  switch (step.action) {
    case 'rejectIf': return step.when;
    case 'guard': return step.found;
    default: return 'target' in step ? step.target : undefined;
  }
}

/** Where a step is, for errors: scenario, number (4.2 when nested), action and the element it looks for. */
export function locationOf<Row>(owner: string, number: string, step: Step<Row>, ctx: StepContext<Row>, screens: ScreenIndex): StepLocation {
  const target = mainTarget(step);
  let description: string | undefined;
  try {
    description = target === undefined ? undefined : resolveTarget(target, ctx, screens).description;
  } catch {
    description = typeof target === 'string' ? target : undefined;
  }
  const label = step.action === 'open' ? `open ${step.screen}` : step.action === 'flow' ? `flow ${step.name}` : step.action;
  return { scenarioId: owner, stepIndex: number, step: step.note ? `${label}: ${step.note}` : label, ...(description ? { target: description } : {}) };
}

/**
 * Turns what Playwright throws into errors that say what to do: a timeout waiting for
 * an element means the screen changed; a network error means the application is down.
 * What the scenario's own code throws (a value, target or condition function) is a
 * {@link ScenarioBug}: it fails the same way on every retry and every machine.
 */
export function explainFailure(error: unknown, at: StepLocation, timeoutMs: number): Error {
  if (error instanceof ProwebError) return error;
  // Playwright reports its own failures as plain Errors (or TimeoutError); the language's
  // errors come from the scenario's functions: undefined.toUpperCase(), a misspelt variable.
  if (error instanceof UnknownElementReference || error instanceof TypeError || error instanceof ReferenceError || error instanceof RangeError || error instanceof SyntaxError) {
    return new ScenarioBug(at, `${error.name}: ${error.message.split('\n')[0]}`, { cause: error });
  }
  if (error instanceof errors.TimeoutError) {
    return new ScreenChanged(at, `nothing matched on screen within ${timeoutMs} ms`, { cause: error });
  }
  const message = (error as Error)?.message ?? String(error);
  if (/net::ERR_|ECONNREFUSED|ECONNRESET|Navigation failed/i.test(message)) {
    return new BackOfficeUnavailable(at, message.split('\n')[0] ?? message, { cause: error });
  }
  return error instanceof Error ? error : new Error(message);
}

/** What a page step produced. */
export type PageStepResult = { variable: { name: string; value: string | number } } | undefined;

/** Text as a person reads it: runs of spaces and line breaks as one space. */
export function normalized(text: string | null | undefined): string {
  return text?.replace(/\s+/g, ' ').trim() ?? '';
}

/**
 * Performs a step that acts on the current page only. Navigation-aware steps (open,
 * guard, rejectIf, submit) and control flow are the dossier's business.
 */
export async function performPageStep<Row>(
  page: Page,
  step: Step<Row>,
  ctx: StepContext<Row>,
  screens: ScreenIndex,
  at: StepLocation,
  timeoutMs: number,
): Promise<PageStepResult> {
  const element = (target: TargetOf<Row>) => locate(page, resolveTarget(target, ctx, screens, at).target);
  // A `typed` field gets its value key by key, as a person types it (an input mask, an autocomplete).
  const enter = async (target: TargetOf<Row>, value: string) => {
    const resolved = resolveTarget(target, ctx, screens, at).target;
    const field = locate(page, resolved);
    if (!('typed' in resolved && resolved.typed)) return field.fill(value, { timeout: timeoutMs });
    await typeValue(field, resolved, value, timeoutMs);
  };
  switch (step.action) {
    case 'fill':
      await enter(step.target, resolveValue(step.value, ctx));
      return undefined;
    case 'date': {
      const iso = resolveValue(step.value, ctx);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new ScreenChanged(at, `"${iso}" is not an ISO date yyyy-mm-dd`);
      const type = await element(step.target).getAttribute('type', { timeout: timeoutMs });
      // A date picker takes ISO; a legacy text field takes what a French agent types.
      await enter(step.target, type === 'date' ? iso : formatFrenchDate(iso));
      return undefined;
    }
    case 'select':
      await element(step.target).selectOption(resolveValue(step.value, ctx), { timeout: timeoutMs });
      return undefined;
    case 'check':
      await element(step.target).setChecked(resolveChecked(step.value, ctx), { timeout: timeoutMs });
      return undefined;
    case 'click': {
      const target = resolveTarget(step.target, ctx, screens, at).target;
      await clickTarget(page, locate(page, target), target, timeoutMs);
      if (step.waitFor) await element(step.waitFor).first().waitFor({ state: 'visible', timeout: timeoutMs });
      return undefined;
    }
    case 'expect': {
      const found = element(step.target).first();
      await found.waitFor({ state: 'visible', timeout: timeoutMs });
      if (step.text !== undefined) {
        const shown = normalized(await found.textContent({ timeout: timeoutMs }));
        const ok = typeof step.text === 'string' ? shown.includes(step.text) : step.text.test(shown);
        if (!ok) throw new ScreenChanged(at, `expected ${String(step.text)} but the screen shows "${shown.slice(0, 120)}"`);
      }
      return undefined;
    }
    case 'extract': {
      const shown = normalized(await element(step.target).first().textContent({ timeout: timeoutMs }));
      let value = shown;
      if (step.pattern) {
        const match = step.pattern.exec(shown);
        if (!match) throw new ScreenChanged(at, `"${shown.slice(0, 120)}" does not match ${String(step.pattern)}`);
        value = match[1] ?? match[0];
      }
      if (step.parse === 'cents') {
        const cents = parseAmountToCents(value);
        if (cents === undefined) throw new ScreenChanged(at, `"${value}" is not an amount`);
        return { variable: { name: step.as, value: cents } };
      } else if (step.parse === 'date') {
        const iso = parseFrenchDate(value);
        if (iso === undefined) throw new ScreenChanged(at, `"${value}" is not a date dd/mm/yyyy`);
        value = iso;
      }
      return { variable: { name: step.as, value } };
    }
    default:
      throw new ScreenChanged(at, `step ${step.action} cannot run here`);
  }
}

/** Runs page-only steps in order (a login form, for instance), with errors explained. */
export async function runPlainSteps<Row>(page: Page, owner: string, list: readonly Step<Row>[], row: Row, timeoutMs: number): Promise<void> {
  const ctx: StepContext<Row> = { row, vars: {} };
  const screens = new ScreenIndex([]);
  for (const [index, step] of list.entries()) {
    const at = locationOf(owner, String(index + 1), step, ctx, screens);
    try {
      await performPageStep(page, step, ctx, screens, at, step.timeoutMs ?? timeoutMs);
    } catch (error) {
      throw explainFailure(error, at, step.timeoutMs ?? timeoutMs);
    }
  }
}
