/**
 * PRN records (prestations en espèces for a sick leave) entered in the daily-allowance
 * (IJ) application. In 2020 each leave is either linked to COVID-19 or not, and the
 * activity reports count the two apart; a COVID leave states why the person could
 * not work. The IJ application's screens use these codes as option values.
 */

/** Nature of the leave, by code, with the label the IJ screen shows. */
export const PRN_NATURES = {
  COVID: 'Arrêt lié à la COVID-19',
  HORS_COVID: 'Arrêt hors COVID-19',
} as const;

export type PrnNature = keyof typeof PRN_NATURES;

/** The nature codes, for an enum of the input column. */
export const PRN_NATURE_CODES = Object.keys(PRN_NATURES) as [PrnNature, ...PrnNature[]];

/** Why a COVID leave was granted, by code, with the label the IJ screen shows. */
export const COVID_MOTIFS = {
  GARDE_ENFANT: "Garde d'enfant",
  PERSONNE_VULNERABLE: 'Personne vulnérable',
  CAS_CONTACT: 'Cas contact',
  PERSONNE_MALADE: 'Personne malade',
} as const;

export type CovidMotif = keyof typeof COVID_MOTIFS;

/** The motif codes, for an enum of the input column. */
export const COVID_MOTIF_CODES = Object.keys(COVID_MOTIFS) as [CovidMotif, ...CovidMotif[]];
