export { defineScenario, type Scenario, type AnyScenario, type ScenarioDefinition, type ScreensOf, type RawRow } from './scenario.ts';
export { defineApplication, type ApplicationDefinition, type ApplicationSpec, type LoginDefinition, type Credentials } from './application.ts';
export { Steps, defineFlow, type Flow, type Ref, type Parse, type LoginSteps } from './builder.ts';
export {
  childSteps, isCommit, STEP_ACTIONS, TARGET_FIELDS,
  type Step, type StepAction, type StepContext, type Value, type Vars, type TargetOf, type ParamRef, type Condition, type FlowStep, type Common,
} from './steps.ts';
export { label, button, link, role, css, describeTarget, type Target, type TargetRole } from './targets.ts';
export { elementParams, fillTarget, placeholdersOf, type Placeholders, type ElementParams } from './params.ts';
export {
  keyboard, optional, personal, pointer, typed, ScreenIndex, describeElement,
  type ScreenDefinition, type ScreenMap, type ScreenElement, type ResolvedElement, type ElementRef,
  type ElementRefOf, type PlainRefOf, type ParamRefOf, type RefParams, type OpenableScreenOf, type PathParams,
} from './screens.ts';
