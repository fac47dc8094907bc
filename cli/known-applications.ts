import { catalogue } from '../scenarios/catalogue.ts';
import type { ApplicationDefinition } from '../scenarios/dsl/index.ts';

/** Every application a scenario of the catalogue uses, by id, in the catalogue's order. */
export function knownApplications(): Map<string, ApplicationDefinition> {
  const apps = new Map<string, ApplicationDefinition>();
  for (const scenario of catalogue.values()) for (const app of scenario.applications) apps.set(app.id, app);
  return apps;
}
