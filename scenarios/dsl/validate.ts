import { ScenarioDefinitionError } from '../../core/errors.ts';
import { placeholdersOf } from './params.ts';
import type { ScreenIndex } from './screens.ts';
import { STEP_ACTIONS, TARGET_FIELDS, childSteps, type Step, type StepAction } from './steps.ts';
import { checkTarget } from './validate-target.ts';

export interface ValidationContext {
  screens: ScreenIndex;
  /**
   * Whether steps may name targets directly (`label(...)`, `css(...)`): only an application's
   * login steps, whose page has no screen map. A scenario's steps name screen-map elements only,
   * so that every selector lives in a screen map, where `check-screens` checks it.
   */
  directTargets?: boolean;
}

const isFunction = (v: unknown): boolean => typeof v === 'function';
const checkValue = (value: unknown): string | undefined =>
  typeof value === 'string' || isFunction(value) ? undefined : 'value must be a string or a function of the row';

/** Why a step's element is not one the scenario can name, or undefined. */
export function checkRef(target: unknown, ctx: ValidationContext): string | undefined {
  if (typeof target === 'string') {
    const element = ctx.screens.element(target);
    if (typeof element === 'string') return element;
    if (element.params.length > 0) {
      return `${element.ref} is parameterised: name it with its values, ['${element.ref}', { ${element.params.map((p) => `${p}: ...`).join(', ')} }]`;
    }
    return undefined;
  }
  if (Array.isArray(target)) {
    const [ref, params] = target as unknown[];
    if (typeof ref !== 'string') return 'a parameterised reference is [screen.element, { parameters }]';
    const element = ctx.screens.element(ref);
    if (typeof element === 'string') return element;
    if (element.params.length === 0) return `${element.ref} has no parameters: name it alone, '${element.ref}'`;
    if (typeof params !== 'object' || params === null) return `${element.ref} needs its parameters { ${element.params.join(', ')} }`;
    const given = params as Record<string, unknown>;
    const missing = element.params.filter((p) => !(p in given));
    if (missing.length > 0) return `${element.ref} needs ${missing.map((m) => `{${m}}`).join(', ')}`;
    for (const [name, value] of Object.entries(given)) {
      if (!element.params.includes(name)) return `${element.ref} has no {${name}}`;
      const problem = checkValue(value);
      if (problem) return `${element.ref} {${name}}: ${problem}`;
    }
    return undefined;
  }
  if (isFunction(target)) return 'an element computed by a function cannot be checked: declare a parameterised element in the screen map and name it with its values';
  if (!ctx.directTargets) {
    const kind = (target as { by?: unknown } | null)?.by === 'css' ? 'a CSS selector' : 'a direct target';
    return `${kind} in a scenario's step: declare the element in its application's screen map and name it screen.element (a scenario holds no selector)`;
  }
  return checkTarget(target);
}

/**
 * Checks a list of steps at load time, nested ones included: known actions, element
 * references that exist in the screen maps with exactly their parameters, well-formed
 * values, screens that can be opened with their path's parameters. Throws a
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
      const problem = checkRef(target, ctx);
      if (problem) fail(`${field}: ${problem}`);
    }
    if (step.timeoutMs !== undefined && !(typeof step.timeoutMs === 'number' && step.timeoutMs > 0)) fail('timeoutMs must be a positive number');
    switch (step.action) {
      case 'open': {
        const found = ctx.screens.screen(String(step.screen));
        if (typeof found === 'string') fail(found);
        else if (found.screen.path === undefined) fail(`screen ${found.name} has no path to open it by`);
        else {
          const params = (step.params ?? {}) as Record<string, unknown>;
          const placeholders = placeholdersOf(found.screen.path);
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
        if (typeof step.as !== 'string' || !/^[A-Za-z_]\w*$/.test(step.as)) fail('extract needs `as`, a variable name');
        if (step.parse !== undefined && !['text', 'cents', 'date'].includes(String(step.parse))) fail('parse must be text, cents or date');
        break;
      case 'when': {
        const condition = step.if as unknown;
        if (!isFunction(condition)) {
          const visible = (condition as { visible?: unknown } | undefined)?.visible;
          if (visible === undefined) fail('if must be a function of the row or { visible: element }');
          const problem = checkRef(visible, ctx);
          if (problem) fail(`if: ${problem}`);
        }
        break;
      }
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
