import type { CampaignRecord, CampaignRegistry } from '../../queue/campaigns/campaign-registry.ts';
import { dipaPayment } from '../../scenarios/dipa-payment.ts';

/**
 * Registers an active dipa-payment campaign of 'CPAM Lille-Douai' as `enqueue` registers one, of
 * `rows` rows all queued, without queueing any: for a test that writes its jobs itself, or reads
 * what a worker reads before a dossier. Its worker then knows the campaign.
 */
export function registerKnownCampaign(registry: CampaignRegistry, id: string, rows = 0): Promise<CampaignRecord> {
  return registry.create({
    id, scenarioId: dipaPayment.id, scenarioVersion: dipaPayment.version, caisse: 'CPAM Lille-Douai', file: '/partage/dipa.csv', submittedAt: new Date().toISOString(),
    rows, invalidRows: 0, alreadyDone: 0, queued: rows, alreadyQueued: 0, state: 'active',
  });
}
