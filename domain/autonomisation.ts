/**
 * Autonomisation of adult dependants (ayants droit majeurs): a dependant covered
 * through an insured person's rights is detached from that person's record and
 * given a beneficiary record of their own. The codes below are those of the
 * "fichier ProWeb" and of the beneficiary database's drop-down lists; whether a
 * dependant is an adult, still attached or already autonomised is the database's
 * decision, made on its own data.
 */

/** Why a dependant is detached, by the code the file and the detachment form use. */
export const DETACHMENT_MOTIFS = {
  MAJ: 'Majorité',
  TI: 'Activité professionnelle (travailleur indépendant)',
  DEM: "Demande de l'intéressé",
} as const;

export type DetachmentMotif = keyof typeof DETACHMENT_MOTIFS;

/** The motif codes, for an enum of the input column. */
export const DETACHMENT_MOTIF_CODES = Object.keys(DETACHMENT_MOTIFS) as [DetachmentMotif, ...DetachmentMotif[]];

/** The scheme the new beneficiary belongs to, by the code the file and the creation form use. */
export const BENEFICIARY_REGIMES = {
  RG: 'Régime général',
  TI: 'Travailleur indépendant',
} as const;

export type BeneficiaryRegime = keyof typeof BENEFICIARY_REGIMES;

/** The regime codes, for an enum of the input column. */
export const BENEFICIARY_REGIME_CODES = Object.keys(BENEFICIARY_REGIMES) as [BeneficiaryRegime, ...BeneficiaryRegime[]];

/** Width of the beneficiary database's address line: a longer address would be cut on entry. */
export const BENEFICIARY_ADDRESS_MAX_LENGTH = 38;
