import type { StarterApplication } from './applications.ts';
import type { TemplateNames } from './types.ts';

// What every starter's scenario file says the same way, written once.

/** The comment above the row schema. */
export const ROW_DOC = `/**
 * One row of the input file. Column titles are matched to these snake_case names
 * ("Numéro PS" → numero_ps); each problem names its column. Keep the parsed row JSON-safe:
 * strings and integers (amounts in cents, dates in ISO).
 */`;

/** The comment above the scenario and its first fields: who wrote it, what to make of it. */
export const scenarioHead = (n: TemplateNames, application: StarterApplication): string => `/** Written by \`proweb new ${n.id} --application ${application}\`: make it the procedure it automates. */
export const ${n.camel} = defineScenario({
  id: '${n.id}',
  title: '${n.id}: say what it does, in the words of the procedure',
  version: '1.0.0',
  scope: 'local',
  owner: 'MOAD ProWeb',`;

/** How long the procedure takes by hand, and a dossier given up by the robot: the gain report's figures. */
export const minutes = (manual: number, rework: number): string => `  // Time the procedure by hand: what one dossier costs a person.
  manualMinutes: ${manual},
  // A dossier the robot gave up on: find where it stopped, then do it by hand.
  reworkMinutes: ${rework},`;
