import { ProwebError } from '../core/errors.ts';
import { dipaPayment } from './dipa-payment.ts';
import type { Scenario } from './dsl/index.ts';

/** Every scenario this installation can run, by id. */
export const catalogue: ReadonlyMap<string, Scenario<any>> = new Map<string, Scenario<any>>([[dipaPayment.id, dipaPayment]]);

/** The scenario with this id, or an error listing the known ones. */
export function findScenario(id: string): Scenario<any> {
  const scenario = catalogue.get(id);
  if (!scenario) throw new ProwebError(`unknown scenario "${id}"`, `Known scenarios: ${[...catalogue.keys()].join(', ')}.`);
  return scenario;
}
