import type { DeploymentSecret } from '../../core/secret.ts';

/**
 * A dossier's stable id: an HMAC-SHA256 of its scenario and business key under the
 * deployment secret, 96 bits of it in hex. Business keys may hold personal data (a NIR,
 * a PS number), so only the id travels in job ids, logs and the ledger; and because it is
 * keyed, no one holding Redis or the ledger without the secret can find a key back by
 * trying every NIR or PS number (a plain hash of a NIR can be reversed in minutes).
 *
 * The same dossier gets the same id on every machine of a deployment (they share the
 * secret), never across deployments.
 */
export function dossierIdFor(scenarioId: string, businessKey: string, secret: DeploymentSecret): string {
  return secret.idMac(`${scenarioId}\u0000${businessKey}`).slice(0, 24);
}

/**
 * The BullMQ job id of a dossier. Derived from the business key only (not the
 * campaign), so a dossier submitted twice while queued is one job. BullMQ refuses
 * ids with ':' or that are integers; this one has neither.
 */
export function jobIdFor(scenarioId: string, dossierId: string): string {
  return `${scenarioId}.${dossierId}`;
}

/**
 * The BullMQ job id of a submitted dossier: {@link jobIdFor}, or for a dry run one of its
 * own per campaign (a trial never stands in for the real job, nor the real job for it).
 */
export function jobIdOfDossier(fields: { scenarioId: string; dossierId: string; campaignId: string; dryRun?: boolean | undefined }): string {
  const id = jobIdFor(fields.scenarioId, fields.dossierId);
  return fields.dryRun ? `${id}.dry-${fields.campaignId}` : id;
}
