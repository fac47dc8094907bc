import { z } from 'zod';

/**
 * What a job carries: the raw input row (parsed again by the worker, at its own
 * boundary, with the scenario version it runs) and where it came from.
 */
export const jobPayloadSchema = z.object({
  campaignId: z.string().min(1),
  scenarioId: z.string().min(1),
  scenarioVersion: z.string().min(1),
  caisse: z.string().min(1),
  file: z.string(),
  rowNumber: z.number().int().positive(),
  dossierId: z.string().min(1),
  raw: z.record(z.string(), z.string().optional()),
  /** Every step but the commit; nothing is entered and nothing is recorded in the ledger. */
  dryRun: z.boolean().optional(),
});

export type JobPayload = z.output<typeof jobPayloadSchema>;
