import { ProwebError } from '../core/errors.ts';
import { dipaPayment } from './dipa-payment.ts';
import type { AnyScenario } from './dsl/index.ts';
import { autonomisationAyantsDroit } from './autonomisation-ayants-droit.ts';
import { forfaitPs } from './forfait-ps.ts';
import { primeCovid } from './prime-covid.ts';
import { prnEntry } from './prn-entry.ts';

/** Every scenario this installation can run, by id. */
export const catalogue: ReadonlyMap<string, AnyScenario> = new Map(([dipaPayment, forfaitPs, primeCovid, prnEntry, autonomisationAyantsDroit] as AnyScenario[]).map((s) => [s.id, s]));

/** The scenario with this id, or an error listing the known ones. */
export function findScenario(id: string): AnyScenario {
  const scenario = catalogue.get(id);
  if (!scenario) throw new ProwebError(`unknown scenario "${id}"`, `Known scenarios: ${[...catalogue.keys()].join(', ')}.`);
  return scenario;
}
