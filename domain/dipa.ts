/**
 * DIPA (Dispositif d'Indemnisation de la Perte d'Activité), 2020: compensation of
 * the fixed charges of liberal, conventioned health professionals who lost
 * activity during the lockdowns. Paid as an advance (acompte) of at most 80 % of
 * the computed aid, regularised in 2021.
 */

/** The two 2020 periods; the second one was open to liberal doctors only. */
export const DIPA_PERIODS = {
  P1: { start: '2020-03-16', end: '2020-06-30', label: 'période 1 (16/03/2020 au 30/06/2020)', doctorsOnly: false },
  P2: { start: '2020-10-15', end: '2020-12-31', label: 'période 2 (15/10/2020 au 31/12/2020)', doctorsOnly: true },
} as const;

export type DipaPeriod = keyof typeof DIPA_PERIODS;

/** Professional categories paid under DIPA (codes used in files and on screens). */
export const PS_CATEGORIES = {
  MG: { label: 'Médecin généraliste', doctor: true },
  SPE: { label: 'Médecin spécialiste', doctor: true },
  DEN: { label: 'Chirurgien-dentiste', doctor: false },
  MK: { label: 'Masseur-kinésithérapeute', doctor: false },
  PHA: { label: 'Pharmacien', doctor: false },
  IDE: { label: 'Infirmier diplômé d\u2019État', doctor: false },
  SF: { label: 'Sage-femme', doctor: false },
  ORT: { label: 'Orthophoniste', doctor: false },
  OPT: { label: 'Orthoptiste', doctor: false },
  CDS: { label: 'Centre de santé', doctor: false },
  AMB: { label: 'Transporteur sanitaire (ambulance)', doctor: false },
  TAX: { label: 'Taxi conventionné', doctor: false },
  AUT: { label: 'Autre professionnel de santé', doctor: false },
} as const;

export type PsCategory = keyof typeof PS_CATEGORIES;

/** Share of the computed aid paid as an advance. */
export const DIPA_ADVANCE_RATE = 0.8;

/**
 * The advance for a computed aid, in cents: 80 % of it, rounded down to the cent so
 * the advance never exceeds the ceiling.
 */
export function dipaAdvanceCents(computedAidCents: number): number {
  return Math.floor((computedAidCents * 8) / 10);
}

/**
 * The DIPA period that wholly contains [startIso, endIso], or `undefined` when the
 * dates straddle or fall outside both periods.
 */
export function dipaPeriodOf(startIso: string, endIso: string): DipaPeriod | undefined {
  if (startIso > endIso) return undefined;
  for (const [id, p] of Object.entries(DIPA_PERIODS) as [DipaPeriod, (typeof DIPA_PERIODS)[DipaPeriod]][]) {
    if (startIso >= p.start && endIso <= p.end) return id;
  }
  return undefined;
}
