import { z } from 'zod';

/**
 * One finished dossier. Carries no personal data: the dossier is named by its
 * hashed id and its row number in the input file.
 *
 * An entry may also stand for many dossiers of the same kind (`dossiers` > 1), e.g.
 * figures imported from before the ledger existed: its minutes and robot time are
 * then the totals of those dossiers. The report adds entries up the same way.
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
  /**
   * How many dossiers this entry stands for, all with its status. @defaultValue 1
   * (the worker writes one entry per dossier; aggregated imports write more).
   */
  dossiers: z.number().int().positive().optional(),
  /** Human minutes saved: the scenario's manual minutes when done, else 0 (a total when `dossiers` > 1). */
  manualMinutesSaved: z.number().min(0),
  /**
   * Human minutes spent redoing a dossier that failed for good and went to a person
   * (the scenario's `reworkMinutes`); deducted from the hours saved. @defaultValue 0
   */
  reworkMinutes: z.number().min(0).optional(),
  /** Time the robot spent on the dossier's last attempt (a total when `dossiers` > 1). */
  robotMs: z.number().int().min(0),
  attempts: z.number().int().min(1),
  finishedAt: z.iso.datetime(),
});

export type LedgerEntry = z.output<typeof ledgerEntrySchema>;
export type DossierStatus = LedgerEntry['status'];
