import { z } from 'zod';
import { BENEFICIARY_ADDRESS_MAX_LENGTH, BENEFICIARY_REGIME_CODES, DETACHMENT_MOTIF_CODES } from '../domain/autonomisation.ts';
import { bdo, searchInsured } from './applications/bdo.ts';
import { defineScenario } from './dsl/index.ts';
import { code, frenchDate, nir, requiredText } from './fields.ts';

/**
 * One adult dependant to autonomise, as the "fichier ProWeb" lists them: the
 * insured who opens the rights, the dependant, the new record's address, scheme
 * and effective date, and why the dependant leaves the insured's record. Whether
 * the dependant is an adult and still attached to that insured is the BDO's call.
 */
export const autonomisationRow = z
  .object({
    nir_assure: nir(),
    nir_ayant_droit: nir(),
    nom: requiredText(),
    prenom: requiredText(),
    adresse: requiredText().max(BENEFICIARY_ADDRESS_MAX_LENGTH, {
      error: `is longer than the BDO's address line (${BENEFICIARY_ADDRESS_MAX_LENGTH} characters)`,
    }),
    code_postal: requiredText().regex(/^\d{5}$/, { error: (issue) => `"${String(issue.input)}" is not a postcode (5 digits)` }),
    commune: requiredText(),
    regime: code(BENEFICIARY_REGIME_CODES),
    date_effet: frenchDate(),
    motif: code(DETACHMENT_MOTIF_CODES),
  })
  .superRefine((r, ctx) => {
    if (r.nir_ayant_droit === r.nir_assure) {
      ctx.addIssue({ code: 'custom', path: ['nir_ayant_droit'], message: "is the insured's own NIR, not a dependant's" });
    }
  })
  .transform((r) => ({
    insuredNir: r.nir_assure,
    dependantNir: r.nir_ayant_droit,
    lastName: r.nom,
    firstName: r.prenom,
    address: r.adresse,
    postcode: r.code_postal,
    city: r.commune,
    regime: r.regime,
    effectiveDate: r.date_effet,
    motif: r.motif,
  }));

export type AutonomisationRow = z.output<typeof autonomisationRow>;

/**
 * Gives an adult dependant a beneficiary record of their own in the BDO: find the
 * insured, make sure the dependant is not autonomised yet, detach them from the
 * insured's record, create their record, keep its reference. A run interrupted
 * between the two commits finds the dependant detached and goes on with the creation.
 */
export const autonomisationAyantsDroit = defineScenario({
  id: 'autonomisation-ayants-droit',
  title: 'Autonomisation des ayants droit majeurs dans la BDO',
  version: '1.0.0',
  scope: 'local',
  owner: 'MOAD ProWeb',
  applications: [bdo],
  input: autonomisationRow,
  key: ['dependantNir'],
  personal: ['insuredNir', 'dependantNir', 'lastName', 'firstName', 'address'],
  // By hand: search the insured, find the dependant among the ayants droit, fill and
  // confirm the detachment, then type address, scheme and date on a second form and note the reference.
  manualMinutes: 5,
  // Given up by the robot, which may have stopped between its two commits: check both the
  // insured's record (detached?) and the beneficiaries (record created?), then finish by hand.
  reworkMinutes: 8,
  steps: (s) => s
    .flow(searchInsured((row) => row.insuredNir))
    .guard(['dossierAssure.referenceAyantDroit', { nir: (row) => row.dependantNir }], ['dossierAssure.referenceAyantDroit', { nir: (row) => row.dependantNir }], {
      note: 'dependant already autonomised',
    })
    .open('detachement', { assure: (row) => row.insuredNir, ayantDroit: (row) => row.dependantNir }, {
      note: 'detach the dependant (by URL: an unknown dependant is refused, one already detached goes to the creation)',
    })
    .rejectIf('detachement.refus', { note: 'a minor, a dependant of another insured' })
    .when({ visible: 'detachement.confirmer' }, (attached) => attached
      .select('detachement.motif', (row) => row.motif)
      .date('detachement.dateEffet', (row) => row.effectiveDate)
      .click('detachement.confirmer', { waitFor: 'creationBeneficiaire.adresse', commit: true }),
    { note: 'still attached (not detached by an interrupted run)' })
    .fill('creationBeneficiaire.adresse', (row) => row.address)
    .fill('creationBeneficiaire.codePostal', (row) => row.postcode)
    .fill('creationBeneficiaire.commune', (row) => row.city)
    .select('creationBeneficiaire.regime', (row) => row.regime)
    .date('creationBeneficiaire.dateEffet', (row) => row.effectiveDate)
    .submit('creationBeneficiaire.creer', { success: 'confirmationBeneficiaire.reference', refusal: 'creationBeneficiaire.refus' }),
});
