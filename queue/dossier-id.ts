import { createHash } from 'node:crypto';

/**
 * A dossier's stable id: a hash of its scenario and business key. Business keys may
 * hold personal data (a NIR), so only the hash travels in job ids, logs and the ledger.
 */
export function dossierIdFor(scenarioId: string, businessKey: string): string {
  return createHash('sha256').update(`${scenarioId}\u0000${businessKey}`).digest('hex').slice(0, 24);
}

/**
 * The BullMQ job id of a dossier. Derived from the business key only (not the
 * campaign), so a dossier submitted twice while queued is one job. BullMQ refuses
 * ids with ':' or that are integers; this one has neither.
 */
export function jobIdFor(scenarioId: string, dossierId: string): string {
  return `${scenarioId}.${dossierId}`;
}
