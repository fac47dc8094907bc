import { defineScenario, ScreenIndex, Steps, type ApplicationDefinition, type Scenario, type Step } from '../../scenarios/dsl/index.ts';

/**
 * A scenario made from another one for a test: a new id, its steps changed as data (a value
 * that throws, a step left out), its applications changed (a screen map that no longer
 * matches the screen). Loaded by `defineScenario`, so every load-time rule still applies.
 */
export function deriveScenario<Row extends Record<string, unknown>>(
  base: Scenario<Row>,
  changes: {
    id: string;
    timeoutMs?: number;
    steps?: (list: readonly Step<Row>[]) => readonly unknown[];
    applications?: readonly ApplicationDefinition<any>[];
  },
): Scenario<Row> {
  const applications = changes.applications ?? base.applications;
  const list = (changes.steps ? changes.steps(base.steps) : base.steps) as readonly Step<Row>[];
  return defineScenario({
    ...base,
    id: changes.id,
    applications,
    ...(changes.timeoutMs ? { timeoutMs: changes.timeoutMs } : {}),
    steps: () => new Steps<Row, never, {}>(list, new ScreenIndex(applications)),
  }) as unknown as Scenario<Row>;
}

/** An application whose screen map differs from the real one: `elements` replace or add to a screen's. */
export function withElements<A extends ApplicationDefinition<any>>(application: A, screen: string, elements: Record<string, unknown>): A {
  const screens = application.screens as Record<string, { elements: Record<string, unknown> }>;
  return { ...application, screens: { ...screens, [screen]: { ...screens[screen], elements: { ...screens[screen]!.elements, ...elements } } } } as A;
}
