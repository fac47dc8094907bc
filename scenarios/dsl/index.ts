export { defineScenario, type Scenario, type ScenarioDefinition, type RawRow } from './scenario.ts';
export { defineApplication, type ApplicationDefinition, type Credentials } from './application.ts';
export { steps, STEP_ACTIONS, type Step, type StepAction, type StepContext, type Value, type TargetOf } from './steps.ts';
export { label, button, link, role, text, css, describeTarget, type Target, type TargetRole } from './targets.ts';
