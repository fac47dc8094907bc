import { z } from 'zod';
import { formatCentsForEntry } from '../domain/french-formats.ts';
import { ameliPro } from './applications/ameli-pro.ts';
import { progres } from './applications/progres.ts';
import { defineScenario } from './dsl/index.ts';
import { psNumber, requiredText } from './fields.ts';

/** Years of forfait structure this scenario pays: ameli pro and Progrès only know 2020. */
export const FORFAIT_PS_YEARS = [2020] as const;

/**
 * One line of the "fichier ProWeb": a professional and the year of forfait structure
 * to pay. The amount is not in the file: it is read in ameli pro for each dossier.
 */
export const forfaitPsRow = z
  .object({
    numero_ps: psNumber(),
    annee: requiredText().transform((text, ctx) => {
      if (!/^\d{4}$/.test(text)) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a year (yyyy)` });
        return z.NEVER;
      }
      const year = Number(text);
      if (!(FORFAIT_PS_YEARS as readonly number[]).includes(year)) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a year of forfait structure this scenario pays (${FORFAIT_PS_YEARS.join(', ')})` });
        return z.NEVER;
      }
      return year;
    }),
  })
  .transform((r) => ({ ps: r.numero_ps, year: r.annee }));

export type ForfaitPsRow = z.output<typeof forfaitPsRow>;

/**
 * Pays one professional's forfait structure: read in ameli pro the amount due, find
 * the professional in Progrès, make sure the forfait was not paid already, enter the
 * payment to the payee Progrès already holds, keep its reference.
 */
export const forfaitPs = defineScenario({
  id: 'forfait-ps',
  title: 'Paiement du forfait structure des professionnels de santé (ameli pro → Progrès)',
  version: '1.0.0',
  scope: 'national',
  owner: 'MOAD ProWeb',
  applications: [ameliPro, progres],
  input: forfaitPsRow,
  key: ['ps', 'year'],
  personal: [],
  // By hand: search the PS in ameli pro and note the amount due, then in Progrès search
  // the PS, check earlier payments, copy the payee reference and type the payment.
  manualMinutes: 5,
  // Given up by the robot: check in Progrès whether the forfait was paid after all, and in
  // ameli pro its status, before doing the whole dossier by hand in both applications.
  reworkMinutes: 7,
  steps: (s) => s
    .open('forfaits', { ps: (row) => row.ps }, { note: "open the professional's forfaits in ameli pro" })
    .rejectIf('forfaits.erreur', { note: 'unknown professional, or no forfait structure this year' })
    .extract('forfaits.montantDu', 'montantDu', { parse: 'cents', note: 'amount due' })
    .extract('forfaits.numeroForfait', 'numeroForfait', { note: 'forfait number, for the motif' })

    .open('fichePs', { numero: (row) => row.ps }, { note: 'search the professional in Progrès' })
    .rejectIf('fichePs.erreur', { note: 'unknown professional' })
    .guard(
      ['fichePs.paiementAnnee', { dispositif: 'FS', annee: (row) => String(row.year) }],
      ['fichePs.referencePaiementAnnee', { dispositif: 'FS', annee: (row) => String(row.year) }],
      { note: 'this forfait already paid' },
    )
    .extract('fichePs.referenceBeneficiaire', 'beneficiaire', { note: 'the payee Progrès already holds for this professional' })
    .click('fichePs.saisirPaiement', { waitFor: 'paiement.dispositif' })
    .select('paiement.dispositif', (row) => `FS-${row.year}`)
    .fill('paiement.montant', (_row, { vars }) => formatCentsForEntry(vars.montantDu))
    .select('paiement.reglement', 'REF')
    .fill('paiement.beneficiaire', (_row, { vars }) => vars.beneficiaire)
    .fill('paiement.motif', (row, { vars }) => `Forfait structure ${row.year} ${vars.numeroForfait}`.trim())
    .submit('paiement.valider', { success: 'confirmationPaiement.reference', refusal: 'paiement.refus' }),
});
