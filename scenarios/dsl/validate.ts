import { ScenarioDefinitionError } from '../../core/errors.ts';
import type { ScreenIndex } from './screens.ts';
import { STEP_ACTIONS, TARGET_FIELDS, childSteps, type Step, type StepAction } from './steps.ts';
import { checkTarget } from './validate-target.ts';

export interface ValidationContext {
  applications: ReadonlySet<string>;
  screens: ScreenIndex;
  /** Tables read by earlier steps, for `forEach`. */
  tables: Set<string>;
}

const isFunction = (v: unknown): boolean => typeof v === 'function';
const checkValue = (value: unknown): string | undefined =>
  typeof value === 'string' || isFunction(value) ? undefined : 'value must be a string or a function of the row';

/**
 * Checks a list of steps at load time, nested ones included: known actions,
 * well-formed targets and values, screen fields that exist in the screen maps,
 * declared applications, tables read before they are looped over. Throws a
 * {@link ScenarioDefinitionError} naming the step (`step 4.2 (fill)`).
 */
export function validateSteps(owner: string, list: unknown, ctx: ValidationContext, prefix = ''): void {
  if (!Array.isArray(list) || list.length === 0) {
    throw new ScenarioDefinitionError(owner, `${prefix ? `step ${prefix.slice(0, -1)}` : 'steps'}: at least one step is required`);
  }
  list.forEach((raw, index) => {
    const number = `${prefix}${index + 1}`;
    const fail = (detail: string): never => {
      throw new ScenarioDefinitionError(owner, `step ${number} (${String((raw as { action?: unknown })?.action)}): ${detail}`);
    };
    if (typeof raw !== 'object' || raw === null) fail('not a step object');
    const step = raw as Record<string, unknown> & { action: StepAction };
    if (!STEP_ACTIONS.includes(step.action)) fail(`unknown step type; expected one of ${STEP_ACTIONS.join(', ')}`);
    for (const field of TARGET_FIELDS[step.action]) {
      const target = step[field];
      if (target === undefined && (field === 'waitFor' || field === 'reason')) continue;
      if (isFunction(target)) continue;
      if (typeof target === 'string') {
        const element = ctx.screens.element(target);
        if (typeof element === 'string') fail(`${field}: ${element}`);
        continue;
      }
      const problem = checkTarget(target);
      if (problem) fail(`${field}: ${problem}`);
    }
    if (step.timeoutMs !== undefined && !(typeof step.timeoutMs === 'number' && step.timeoutMs > 0)) fail('timeoutMs must be a positive number');
    switch (step.action) {
      case 'goto': {
        if (typeof step.application !== 'string' || !ctx.applications.has(step.application)) {
          fail(`application "${String(step.application)}" is not declared in the scenario's applications`);
        }
        const problem = checkValue(step.path);
        if (problem) fail(`path: ${problem}`);
        break;
      }
      case 'open': {
        const found = ctx.screens.screen(String(step.screen));
        if (typeof found === 'string') fail(found);
        else if (found.screen.path === undefined) fail(`screen ${found.name} has no path to open it by`);
        else {
          const params = (step.params ?? {}) as Record<string, unknown>;
          const placeholders = [...found.screen.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
          const missing = placeholders.filter((p) => !(p in params));
          if (missing.length > 0) fail(`screen ${found.name} needs ${missing.map((m) => `{${m}}`).join(', ')}`);
          for (const [name, value] of Object.entries(params)) {
            if (!placeholders.includes(name)) fail(`screen ${found.name}'s path has no {${name}}`);
            const problem = checkValue(value);
            if (problem) fail(`${name}: ${problem}`);
          }
        }
        break;
      }
      case 'fill':
      case 'date':
      case 'select': {
        const problem = checkValue(step.value);
        if (problem) fail(problem);
        break;
      }
      case 'check':
        if (step.value !== undefined && typeof step.value !== 'boolean' && !isFunction(step.value)) fail('value must be true, false or a function of the row');
        break;
      case 'extract':
      case 'extractTable':
        if (typeof step.as !== 'string' || !/^[A-Za-z_]\w*$/.test(step.as)) fail(`${step.action} needs \`as\`, a variable name`);
        if (step.action === 'extractTable') ctx.tables.add(step.as as string);
        if (step.action === 'extract' && step.parse !== undefined && !['text', 'cents', 'date'].includes(String(step.parse))) fail('parse must be text, cents or date');
        break;
      case 'when': {
        const condition = step.if as unknown;
        if (!isFunction(condition)) {
          const visible = (condition as { visible?: unknown } | undefined)?.visible;
          if (visible === undefined) fail('if must be a function of the row or { visible: target }');
          else if (typeof visible === 'string' && typeof ctx.screens.element(visible) === 'string') fail(`if: ${ctx.screens.element(visible) as string}`);
          else if (typeof visible === 'object' && checkTarget(visible)) fail(`if: ${checkTarget(visible)}`);
        }
        break;
      }
      case 'forEach':
        if (typeof step.table !== 'string' || !ctx.tables.has(step.table)) fail(`table "${String(step.table)}" is not read by an earlier extractTable step`);
        break;
      case 'flow':
        if (typeof step.name !== 'string' || !step.name) fail('a flow needs a name');
        break;
      default:
        break;
    }
    childSteps(step as unknown as Step<unknown>).forEach((child, i, all) => {
      validateSteps(owner, child.steps, ctx, `${number}.${all.length > 1 ? `${child.label}.` : ''}`);
    });
  });
}
