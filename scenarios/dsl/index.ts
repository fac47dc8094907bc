export { defineScenario, type Scenario, type AnyScenario, type ScenarioDefinition, type RawRow } from './scenario.ts';
export { defineApplication, type ApplicationDefinition, type Credentials } from './application.ts';
export {
  steps, defineFlow, childSteps, isCommit, STEP_ACTIONS,
  type Step, type StepAction, type StepContext, type Value, type TargetOf, type Condition, type TableRows, type FlowStep,
} from './steps.ts';
export { label, button, link, role, text, css, describeTarget, type Target, type TargetRole } from './targets.ts';
export { keyboard, optional, personal, pointer, typed, ScreenIndex, describeElement, type ScreenDefinition, type ScreenMap, type ScreenElement, type ResolvedElement, type ElementRef } from './screens.ts';
