import { z } from 'zod';
import { formatCentsForEntry } from '../domain/french-formats.ts';
import { PRIME_COVID_PAY_MONTHS, PRIME_COVID_TYPE_CODES, parsePrimeCovidPayMonth } from '../domain/prime-covid.ts';
import { grh } from './applications/grh.ts';
import { defineScenario } from './dsl/index.ts';
import { amountCents, code, requiredText } from './fields.ts';

const firstMonth = PRIME_COVID_PAY_MONTHS[0];
const lastMonth = PRIME_COVID_PAY_MONTHS[PRIME_COVID_PAY_MONTHS.length - 1];

/**
 * One agent's Covid bonus as the HR department lists it in the "fichier ProWeb".
 * The file is checked for what it alone can tell (a matricule, a known rubrique, a
 * positive amount, a bonus pay month); whether the amount fits the rubrique's
 * ceiling and the month is still open is payroll's decision, made in GRH.
 */
export const primeCovidRow = z
  .object({
    matricule: requiredText().regex(/^\d{6}$/, { error: (issue) => `"${String(issue.input)}" is not a matricule (6 digits)` }),
    nom: requiredText(),
    type_prime: code(PRIME_COVID_TYPE_CODES),
    montant: amountCents(),
    mois_paiement: requiredText().transform((text, ctx) => {
      const month = parsePrimeCovidPayMonth(text);
      if (month === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a pay month of the Covid bonus (mm/yyyy, ${firstMonth} to ${lastMonth})` });
        return z.NEVER;
      }
      return month;
    }),
  })
  .transform((r) => ({
    matricule: r.matricule,
    name: r.nom,
    bonusType: r.type_prime,
    amountCents: r.montant,
    payMonth: r.mois_paiement,
  }));

export type PrimeCovidRow = z.output<typeof primeCovidRow>;

/**
 * Enters one agent's 2020 Covid bonus in GRH: find the agent, make sure no Covid
 * bonus was entered for them yet, enter the payroll item, keep its reference.
 */
export const primeCovid = defineScenario({
  id: 'prime-covid',
  title: 'Saisie des primes exceptionnelles COVID-19 dans GRH',
  version: '1.0.0',
  scope: 'local',
  owner: 'MOAD ProWeb',
  applications: [grh],
  input: primeCovidRow,
  key: ['matricule'],
  // A matricule identifies an employee as surely as a name.
  personal: ['matricule', 'name'],
  // By hand: search the agent, read their situation and earlier payroll items,
  // open the entry form, choose rubrique and month, type amount and motif, note the reference.
  manualMinutes: 3,
  // Given up by the robot: look through the agent's payroll items for a Covid bonus the
  // robot may have entered, then enter it by hand.
  reworkMinutes: 4,
  steps: (s) => s
    .open('ficheAgent', { matricule: (row) => row.matricule }, { note: "open the agent's file" })
    .rejectIf('ficheAgent.erreur', { note: 'unknown agent' })
    .guard('ficheAgent.primeCovid', 'ficheAgent.referencePrimeCovid', { note: 'a Covid bonus already entered for this agent in 2020' })
    .rejectIf('ficheAgent.sortiDesEffectifs', { reason: 'ficheAgent.situation', note: 'agent no longer on the staff' })
    .click('ficheAgent.saisirElement', { waitFor: 'saisieEvp.rubrique' })
    .fill('saisieEvp.matricule', (row) => row.matricule)
    .select('saisieEvp.rubrique', (row) => row.bonusType)
    .fill('saisieEvp.montant', (row) => formatCentsForEntry(row.amountCents))
    .select('saisieEvp.mois', (row) => row.payMonth)
    .fill('saisieEvp.motif', 'Prime exceptionnelle COVID-19 2020')
    .submit('saisieEvp.enregistrer', { success: 'confirmationEvp.reference', refusal: 'saisieEvp.refus' }),
});
