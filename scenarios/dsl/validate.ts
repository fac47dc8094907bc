import { ScenarioDefinitionError } from '../../core/errors.ts';
import { STEP_ACTIONS, type Step } from './steps.ts';
import { TARGET_ROLES } from './targets.ts';

const isFunction = (v: unknown): boolean => typeof v === 'function';

function checkTarget(value: unknown): string | undefined {
  if (isFunction(value)) return undefined;
  if (typeof value !== 'object' || value === null) return 'a target (label(), button(), css()...) is required';
  const t = value as Record<string, unknown>;
  switch (t.by) {
    case 'label': return typeof t.label === 'string' && t.label ? undefined : 'label target without a label';
    case 'text': return typeof t.text === 'string' && t.text ? undefined : 'text target without a text';
    case 'css': return typeof t.css === 'string' && t.css ? undefined : 'css target without a selector';
    case 'role': return (TARGET_ROLES as readonly unknown[]).includes(t.role) ? undefined : `unknown role "${String(t.role)}"`;
    default: return `unknown target kind "${String(t.by)}"`;
  }
}

function checkValue(value: unknown): string | undefined {
  return typeof value === 'string' || isFunction(value) ? undefined : 'value must be a string or a function of the row';
}

const TARGET_FIELDS: Record<string, readonly string[]> = {
  goto: [], fill: ['target'], select: ['target'], click: ['target'], expect: ['target'], extract: ['target'],
  rejectIf: ['when'], guard: ['found', 'reference'], submit: ['target', 'success', 'reference', 'refusal'],
};

/**
 * Checks a list of steps at load time: known actions, well-formed targets and values,
 * declared applications. Throws a {@link ScenarioDefinitionError} naming the step.
 */
export function validateSteps(owner: string, list: readonly Step<never>[] | readonly unknown[], ctx: { applications: ReadonlySet<string> }): void {
  if (!Array.isArray(list) || list.length === 0) throw new ScenarioDefinitionError(owner, 'steps: at least one step is required');
  list.forEach((raw, index) => {
    const fail = (detail: string): never => {
      throw new ScenarioDefinitionError(owner, `step ${index + 1} (${String((raw as { action?: unknown })?.action)}): ${detail}`);
    };
    if (typeof raw !== 'object' || raw === null) fail('not a step object');
    const step = raw as Record<string, unknown>;
    if (!(STEP_ACTIONS as readonly unknown[]).includes(step.action)) fail(`unknown step type; expected one of ${STEP_ACTIONS.join(', ')}`);
    for (const field of TARGET_FIELDS[step.action as string] ?? []) {
      const problem = checkTarget(step[field]);
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
      case 'fill':
      case 'select': {
        const problem = checkValue(step.value);
        if (problem) fail(problem);
        break;
      }
      case 'extract':
        if (typeof step.as !== 'string' || !/^[A-Za-z_]\w*$/.test(step.as)) fail('extract needs `as`, a variable name');
        break;
      default:
        break;
    }
  });
}
