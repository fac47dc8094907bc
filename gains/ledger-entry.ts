import { z } from 'zod';

/**
 * One finished dossier. Carries no personal data: the dossier is named by its
 * hashed id and its row number in the input file.
 */
export const ledgerEntrySchema = z.object({
  campaignId: z.string().min(1),
  scenarioId: z.string().min(1),
  scenarioVersion: z.string().min(1),
  caisse: z.string().min(1),
  machine: z.string().min(1),
  dossierId: z.string().min(1),
  rowNumber: z.number().int().positive().optional(),
  status: z.enum(['done', 'rejected', 'failed']),
  /** The back office's reference, for `done`. */
  reference: z.string().optional(),
  /** Why it was rejected or failed. */
  reason: z.string().optional(),
  /** True when the guard found it already entered. */
  alreadyEntered: z.boolean().optional(),
  /** Human minutes saved: the scenario's manual minutes when done, else 0. */
  manualMinutesSaved: z.number().min(0),
  robotMs: z.number().int().min(0),
  attempts: z.number().int().min(1),
  finishedAt: z.iso.datetime(),
});

export type LedgerEntry = z.output<typeof ledgerEntrySchema>;
export type DossierStatus = LedgerEntry['status'];
