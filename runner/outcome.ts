/** How one dossier ended in the back office (technical failures are thrown, not returned). */
export type DossierOutcome =
  | {
      status: 'done';
      /** The back office's reference for what was entered. */
      reference: string;
      /** True when the guard found an earlier entry: nothing was entered this time. */
      alreadyEntered: boolean;
      /** A dry run: every step but the commit; nothing was entered. */
      dryRun?: boolean;
      robotMs: number;
    }
  | {
      status: 'rejected';
      /** The back office's own words. */
      reason: string;
      robotMs: number;
    };
