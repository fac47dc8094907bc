import type { LedgerEntry } from '../../gains/index.ts';

/** The national figures of the 2020 Lille-Douai activity report (see the domain brief). */
export const NATIONAL_FIGURES = [
  { year: 2018, dossiers: 18_049_098, hoursSaved: 358_071, etp: 262.3 },
  { year: 2019, dossiers: 21_499_030, hoursSaved: 425_528, etp: 311.7 },
  { year: 2020, dossiers: 33_634_572, hoursSaved: 532_242, etp: 389.9 },
] as const;

/** Machines in France: 1 397 (January 2019), 1 747 (January 2020), 2 434 (November 2020); January 2018 extrapolated. */
const MACHINE_ANCHORS: [month: number, machines: number][] = [
  [0, 1_050],
  [12, 1_397],
  [24, 1_747],
  [34, 2_434],
  [35, 2_450],
];

/** Share of a year's work in each month: steady growth, and the 2020 lockdowns (spring, November). */
const MONTH_WEIGHTS: Record<number, number[]> = {
  2018: [8, 8, 9, 8, 8, 8, 7, 6, 8, 9, 9, 8],
  2019: [8, 8, 9, 8, 8, 8, 7, 6, 8, 9, 9, 9],
  2020: [6, 6, 9, 12, 11, 9, 7, 6, 7, 8, 10, 9],
};

/** Scenarios by share of the machines, per year; the Covid ones appear in 2020. */
const SCENARIO_SHARES: Record<number, [string, number][]> = {
  2018: [['attestations-salaire', 30], ['renouvellement-css', 25], ['paiement-forfait-ps', 20], ['autonomisation-ayants-droit', 15], ['saisie-prn', 10]],
  2019: [['attestations-salaire', 28], ['renouvellement-css', 24], ['paiement-forfait-ps', 20], ['autonomisation-ayants-droit', 16], ['saisie-prn', 12]],
  2020: [['attestations-salaire', 18], ['renouvellement-css', 16], ['paiement-forfait-ps', 14], ['autonomisation-ayants-droit', 12], ['saisie-prn', 14], ['dipa-payment', 12], ['prime-covid', 8], ['vacations-ps', 6]],
};

const CAISSES = ['CPAM Lille-Douai', 'CPAM du Rhône', 'CPAM de Paris', 'CPAM des Bouches-du-Rhône', 'CPAM de la Gironde', 'CPAM de Loire-Atlantique', 'CPAM du Bas-Rhin', 'CPAM de la Haute-Garonne'];

/** Splits an integer total in proportion to weights, in integers that add up to it exactly (largest remainder). */
export function splitExactly(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (total * w) / sum);
  const parts = raw.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    parts[i]!++;
  }
  return parts;
}

function machinesIn(monthIndex: number): number {
  for (let i = 1; i < MACHINE_ANCHORS.length; i++) {
    const [m1, v1] = MACHINE_ANCHORS[i]!;
    const [m0, v0] = MACHINE_ANCHORS[i - 1]!;
    if (monthIndex <= m1) return Math.round(v0 + ((v1 - v0) * (monthIndex - m0)) / (m1 - m0));
  }
  return MACHINE_ANCHORS.at(-1)![1];
}

export interface NationalLedgerOptions {
  /** Fewer machines a month (the same totals), for a smaller file. @defaultValue every machine */
  maxMachinesPerMonth?: number;
}

/**
 * Ledger entries equivalent to the three national years: one aggregated entry per robot
 * machine and month (`dossiers` > 1, minutes and robot time as totals), all done. Each
 * year's dossiers and minutes add up exactly to the published figures; January 2019 has
 * 1 397 machines, January 2020 1 747, November 2020 2 434.
 */
export function nationalLedger(options: NationalLedgerOptions = {}): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  NATIONAL_FIGURES.forEach(({ year, dossiers, hoursSaved }, y) => {
    const monthDossiers = splitExactly(dossiers, MONTH_WEIGHTS[year]!);
    const monthMinutes = splitExactly(hoursSaved * 60, MONTH_WEIGHTS[year]!);
    const shares = SCENARIO_SHARES[year]!;
    for (let month = 0; month < 12; month++) {
      const key = `${year}-${String(month + 1).padStart(2, '0')}`;
      const machines = Math.min(machinesIn(y * 12 + month), options.maxMachinesPerMonth ?? Infinity);
      const perMachine = splitExactly(monthDossiers[month]!, Array(machines).fill(1));
      const minutes = splitExactly(monthMinutes[month]!, Array(machines).fill(1));
      const scenarioOf = splitExactly(machines, shares.map(([, s]) => s)).flatMap((n, i) => Array<string>(n).fill(shares[i]![0]));
      for (let m = 0; m < machines; m++) {
        entries.push({
          campaignId: `national-${key}`, scenarioId: scenarioOf[m]!, scenarioVersion: '1.0.0', caisse: CAISSES[m % CAISSES.length]!,
          machine: `robot-${String(m + 1).padStart(4, '0')}`, dossierId: `aggregate-${key}-${m + 1}`, status: 'done',
          dossiers: perMachine[m]!, manualMinutesSaved: minutes[m]!, robotMs: perMachine[m]! * 20_000, attempts: 1,
          finishedAt: `${key}-15T12:00:00.000Z`,
        });
      }
    }
  });
  return entries;
}
