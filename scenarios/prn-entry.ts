import { z } from 'zod';
import { formatCentsForEntry } from '../domain/french-formats.ts';
import { COVID_MOTIF_CODES, PRN_NATURE_CODES, type CovidMotif } from '../domain/prn.ts';
import { ij } from './applications/ij.ts';
import { defineScenario } from './dsl/index.ts';
import { amountCents, frenchDate, nir, requiredText, siret } from './fields.ts';

/** COVID or HORS_COVID, as written by hand ("covid", "hors covid", "HORS-COVID"). */
const nature = () =>
  requiredText()
    .transform((text) => text.toUpperCase().replace(/[\s-]+/g, '_'))
    .pipe(z.enum(PRN_NATURE_CODES, { error: (issue) => `"${String(issue.input)}" is not one of ${PRN_NATURE_CODES.join(', ')}` }));

/** A COVID motif code, or nothing (an empty cell). Whether it is required depends on the nature. */
const covidMotif = () =>
  z
    .string()
    .optional()
    .transform((text, ctx): CovidMotif | undefined => {
      const value = (text ?? '').trim().toUpperCase();
      if (value === '') return undefined;
      if (!(COVID_MOTIF_CODES as readonly string[]).includes(value)) {
        ctx.addIssue({ code: 'custom', message: `"${text?.trim()}" is not one of ${COVID_MOTIF_CODES.join(', ')}` });
        return z.NEVER;
      }
      return value as CovidMotif;
    });

/** O (the employer keeps paying the salary) or N. */
const yesNo = () =>
  requiredText()
    .transform((text) => text.toUpperCase())
    .pipe(z.enum(['O', 'N'], { error: (issue) => `"${String(issue.input)}" is not O or N` }))
    .transform((value) => value === 'O');

/**
 * One sick leave as the employer's salary statement gives it (the "fichier ProWeb"
 * of the IJ department). The file is checked for what it alone can tell: the NIR
 * and SIRET keys, real dates in order, positive salaries, a known nature and, for
 * a COVID leave, its motif. Whether the person is known, has open rights, works
 * for a known employer and is not already on leave then is the IJ application's call.
 */
export const prnRow = z
  .object({
    nir: nir(),
    nom: requiredText(),
    siret_employeur: siret(),
    date_debut: frenchDate(),
    date_fin: frenchDate(),
    nature: nature(),
    motif_covid: covidMotif(),
    salaire_1: amountCents(),
    salaire_2: amountCents(),
    salaire_3: amountCents(),
    subrogation: yesNo(),
  })
  .superRefine((r, ctx) => {
    if (r.date_fin < r.date_debut) ctx.addIssue({ code: 'custom', path: ['date_fin'], message: 'is before date_debut: the leave must end on or after its first day' });
    if (r.nature === 'COVID' && r.motif_covid === undefined) {
      ctx.addIssue({ code: 'custom', path: ['motif_covid'], message: `is required for a COVID leave (one of ${COVID_MOTIF_CODES.join(', ')})` });
    }
    if (r.nature === 'HORS_COVID' && r.motif_covid !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['motif_covid'], message: 'must be empty for a leave hors COVID (or the nature should be COVID)' });
    }
  })
  .transform((r) => {
    const leave = {
      nir: r.nir,
      name: r.nom,
      siret: r.siret_employeur,
      start: r.date_debut,
      end: r.date_fin,
      salariesCents: [r.salaire_1, r.salaire_2, r.salaire_3] as [number, number, number],
      subrogation: r.subrogation,
    };
    // By nature, so that a COVID leave's motif is known to be there (checked above): a step on
    // `row.nature === 'COVID'` narrows the row.
    return r.nature === 'COVID' && r.motif_covid !== undefined
      ? { ...leave, nature: 'COVID' as const, covidMotif: r.motif_covid }
      : { ...leave, nature: 'HORS_COVID' as const };
  });

export type PrnRow = z.output<typeof prnRow>;

/**
 * Enters one sick leave as a PRN record in IJ: find the insured, make sure this leave
 * (same first day) is not entered yet, type the salary statement, keep the PRN reference.
 */
export const prnEntry = defineScenario({
  id: 'prn-entry',
  title: "Saisie PRN : arrêts de travail dans l'application IJ",
  version: '1.1.0',
  scope: 'national',
  owner: 'MOAD ProWeb',
  applications: [ij],
  input: prnRow,
  // IJ refuses a second leave of the same insured starting on the same day.
  key: ['nir', 'start'],
  personal: ['nir'],
  // By hand: read the salary statement, search the insured, look through their leaves,
  // type the 11 fields of the PRN form (dates, nature, motif, three salaries) and note the reference.
  manualMinutes: 4,
  // Given up by the robot: search the insured's leaves for a PRN the robot may have entered
  // before it stopped, then type the whole salary statement by hand.
  reworkMinutes: 6,
  steps: (s) => s
    .open('ficheAssure', { nir: (row) => row.nir }, { note: "open the insured's file" })
    .rejectIf('ficheAssure.erreur', { note: 'unknown insured' })
    .guard(['ficheAssure.prestation', { debut: (row) => row.start }], ['ficheAssure.referencePrestation', { debut: (row) => row.start }], {
      note: 'a leave starting that day already entered',
    })
    .rejectIf('ficheAssure.droitsFermes', { reason: 'ficheAssure.droits', note: 'rights closed' })
    .click('ficheAssure.saisirPrestation', { waitFor: 'saisiePrestation.siret' })
    .fill('saisiePrestation.nir', (row) => row.nir)
    // The employer is an autocomplete: type the SIRET, wait for IJ's answer, choose it in the list.
    .fill('saisiePrestation.siret', (row) => row.siret)
    .expect('saisiePrestation.reponseEmployeur', { note: "IJ's suggestions for the SIRET typed" })
    .rejectIf('saisiePrestation.aucunEmployeur', { note: 'employer unknown to IJ' })
    .click(['saisiePrestation.optionEmployeur', { siret: (row) => row.siret }], {
      waitFor: ['saisiePrestation.employeurChoisiSiret', { siret: (row) => row.siret }],
      note: 'choose the employer in the list',
    })
    .date('saisiePrestation.debut', (row) => row.start)
    .date('saisiePrestation.fin', (row) => row.end)
    .when(
      (row) => row.nature === 'COVID',
      (covid) => covid.check('saisiePrestation.natureCovid').select('saisiePrestation.motif', (row) => row.covidMotif),
      (horsCovid) => horsCovid.check('saisiePrestation.natureHorsCovid'),
      { note: 'nature of the leave, and its motif for a COVID one' },
    )
    .fill('saisiePrestation.salaire1', (row) => formatCentsForEntry(row.salariesCents[0]))
    .fill('saisiePrestation.salaire2', (row) => formatCentsForEntry(row.salariesCents[1]))
    .fill('saisiePrestation.salaire3', (row) => formatCentsForEntry(row.salariesCents[2]))
    .check('saisiePrestation.subrogation', (row) => row.subrogation)
    .submit('saisiePrestation.valider', { success: 'confirmationPrestation.reference', refusal: 'saisiePrestation.refus' }),
});
