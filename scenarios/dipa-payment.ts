import { z } from 'zod';
import { DIPA_PERIODS, PS_CATEGORIES, dipaAdvanceCents, dipaPeriodOf, type PsCategory } from '../domain/dipa.ts';
import { formatCentsForEntry } from '../domain/french-formats.ts';
import { progres } from './applications/progres.ts';
import { defineScenario } from './dsl/index.ts';
import { amountCents, code, frenchDate, iban, psNumber, requiredText } from './fields.ts';

const categories = Object.keys(PS_CATEGORIES) as [PsCategory, ...PsCategory[]];

/**
 * One DIPA request as exported from ameli pro (the "fichier ProWeb"), with the rule
 * applied: the period must lie wholly in one of the two 2020 periods, the second one
 * is for doctors only, and the advance is 80 % of the computed aid.
 */
export const dipaRow = z
  .object({
    numero_demande: requiredText().regex(/^DIPA-\d{4}-\d{6}$/, { error: 'is not a request number DIPA-yyyy-nnnnnn' }),
    numero_ps: psNumber(),
    nom: requiredText(),
    categorie: code(categories),
    debut_periode: frenchDate(),
    fin_periode: frenchDate(),
    aide_calculee: amountCents(),
    iban: iban(),
  })
  .superRefine((r, ctx) => {
    const period = dipaPeriodOf(r.debut_periode, r.fin_periode);
    if (period === undefined) {
      ctx.addIssue({ code: 'custom', path: ['debut_periode'], message: 'the period is not within 16/03/2020–30/06/2020 nor 15/10/2020–31/12/2020' });
    } else if (DIPA_PERIODS[period].doctorsOnly && !PS_CATEGORIES[r.categorie].doctor) {
      ctx.addIssue({ code: 'custom', path: ['categorie'], message: `the second DIPA period is for doctors only, not ${PS_CATEGORIES[r.categorie].label}` });
    }
  })
  .transform((r) => {
    const period = dipaPeriodOf(r.debut_periode, r.fin_periode) ?? 'P1';
    return {
      requestId: r.numero_demande,
      ps: r.numero_ps,
      name: r.nom,
      category: r.categorie,
      start: r.debut_periode,
      end: r.fin_periode,
      period,
      computedAidCents: r.aide_calculee,
      advanceCents: dipaAdvanceCents(r.aide_calculee),
      iban: r.iban,
    };
  });

export type DipaRow = z.output<typeof dipaRow>;

/**
 * Pays the DIPA advance of one health professional in Progrès: find the professional,
 * make sure this period was not paid already, enter the payment, keep its reference.
 */
export const dipaPayment = defineScenario({
  id: 'dipa-payment',
  title: 'Paiement des acomptes DIPA dans Progrès',
  version: '1.2.0',
  scope: 'national',
  owner: 'MOAD ProWeb',
  applications: [progres],
  input: dipaRow,
  key: ['ps', 'period'],
  // Masked in every log line, error, kept page and answer that leaves the robot.
  personal: ['name', 'iban'],
  // By hand: read the request, search the PS in Progrès, check earlier payments,
  // compute 80 %, type the payment and note its reference.
  manualMinutes: 6,
  // A dossier the robot gave up on: first look in Progrès whether a payment for the period went
  // through (the robot may have stopped after the commit), then do it all by hand.
  reworkMinutes: 8,
  steps: (s) => s
    .open('fichePs', { numero: (row) => row.ps }, { note: 'search the professional' })
    .rejectIf('fichePs.erreur', { note: 'unknown professional' })
    .guard(
      ['fichePs.paiement', { dispositif: 'DIPA', periode: (row) => row.period }],
      ['fichePs.referencePaiement', { dispositif: 'DIPA', periode: (row) => row.period }],
      { note: 'this period already paid' },
    )
    // By its address, as the record's "Saisir un paiement" link leads: one page load, no click.
    .open('paiement', { ps: (row) => row.ps }, { note: 'the payment form' })
    .select('paiement.dispositif', (row) => `DIPA-${row.period}`)
    .fill('paiement.montant', (row) => formatCentsForEntry(row.advanceCents))
    .select('paiement.reglement', 'VIR')
    .fill('paiement.iban', (row) => row.iban)
    .fill('paiement.motif', (row) => `Acompte DIPA ${row.period} demande ${row.requestId}`)
    .submit('paiement.valider', { success: 'confirmationPaiement.reference', refusal: 'paiement.refus' }),
});
