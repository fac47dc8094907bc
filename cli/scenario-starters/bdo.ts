import { formatFrenchDate } from '../../domain/french-formats.ts';
import { BENEFICIARY_ADDRESS_MAX_LENGTH } from '../../domain/autonomisation.ts';
import { createBackOfficeApp } from '../../fixtures/backoffice/index.ts';
import { isAdult } from '../../fixtures/bdo/index.ts';
import { e2eTest } from './e2e-test.ts';
import { minutes, ROW_DOC, scenarioHead } from './scenario-text.ts';
import { SAMPLE_ROWS, type Starter } from './types.ts';

/** The sample's effective date: after the BDO's reference date, when its dependants' ages are counted. */
const EFFECTIVE_DATE = '2020-10-01';

/**
 * BDO: an adult dependant given a beneficiary record of their own, in two commits (the
 * detachment from the insured's record, then the creation), guarded by the reference the
 * insured's record shows on the dependant's row once it is done.
 */
export const bdoStarter: Starter = {
  application: 'bdo',
  summary: 'an adult dependant detached from the insured and given a beneficiary record, in the BDO (NIRs, address, effective date)',
  columns: ['nir_assure', 'nir_ayant_droit', 'adresse', 'code_postal', 'commune', 'date_effet'],
  sampleRows() {
    // One adult dependant still attached, of distinct insured persons: the BDO refuses a minor, the guard finds the others.
    const bdo = createBackOfficeApp().apps.bdo;
    const rows: Record<string, string>[] = [];
    for (const insured of bdo.insured.values()) {
      const dependant = insured.dependants.find((d) => d.status === 'Rattaché' && isAdult(d.birthDate) && !bdo.beneficiaryOf(d.nir));
      // The dependant moves out: the insured's address, when it fits the BDO's address line, stands for the new one.
      if (!dependant || insured.address.length > BENEFICIARY_ADDRESS_MAX_LENGTH) continue;
      rows.push({ nir_assure: insured.nir, nir_ayant_droit: dependant.nir, adresse: insured.address, code_postal: insured.postcode, commune: insured.city, date_effet: formatFrenchDate(EFFECTIVE_DATE) });
      if (rows.length === SAMPLE_ROWS) break;
    }
    return rows;
  },
  scenario: (n) => `import { z } from 'zod';
import { BENEFICIARY_ADDRESS_MAX_LENGTH } from '../domain/autonomisation.ts';
import { bdo, searchInsured } from './applications/bdo.ts';
import { defineScenario } from './dsl/index.ts';
import { frenchDate, nir, requiredText } from './fields.ts';

${ROW_DOC}
export const ${n.camel}Row = z
  .object({
    nir_assure: nir(),
    nir_ayant_droit: nir(),
    adresse: requiredText().max(BENEFICIARY_ADDRESS_MAX_LENGTH, { error: \`is longer than the BDO's address line (\${BENEFICIARY_ADDRESS_MAX_LENGTH} characters)\` }),
    code_postal: requiredText().regex(/^\\d{5}$/, { error: (issue) => \`"\${String(issue.input)}" is not a postcode (5 digits)\` }),
    commune: requiredText(),
    date_effet: frenchDate(),
  })
  .transform((r) => ({
    insuredNir: r.nir_assure,
    dependantNir: r.nir_ayant_droit,
    address: r.adresse,
    postcode: r.code_postal,
    city: r.commune,
    effectiveDate: r.date_effet,
  }));

export type ${n.pascal}Row = z.output<typeof ${n.camel}Row>;

${scenarioHead(n, 'bdo')}
  applications: [bdo],
  input: ${n.camel}Row,
  key: ['dependantNir'],
  // Masked in every log line, error, kept page and answer that leaves the robot.
  personal: ['insuredNir', 'dependantNir', 'address'],
${minutes(5, 8)}
  steps: (s) => s
    // Opens the insured's record; an unknown insured ends the dossier rejected in the BDO's words.
    .flow(searchInsured((row) => row.insuredNir))
    .guard(['dossierAssure.referenceAyantDroit', { nir: (row) => row.dependantNir }], ['dossierAssure.referenceAyantDroit', { nir: (row) => row.dependantNir }], {
      note: 'dependant already autonomised',
    })
    .open('detachement', { assure: (row) => row.insuredNir, ayantDroit: (row) => row.dependantNir }, { note: 'the detachment form, for this dependant' })
    .rejectIf('detachement.refus', { note: 'a minor, a dependant of another insured' })
    // Two commits: a run stopped between them finds the dependant detached, and the BDO shows the creation form at once.
    .when({ visible: 'detachement.confirmer' }, (attached) => attached
      .select('detachement.motif', 'MAJ')
      .date('detachement.dateEffet', (row) => row.effectiveDate)
      .click('detachement.confirmer', { waitFor: 'creationBeneficiaire.adresse', commit: true }),
    { note: 'still attached' })
    .fill('creationBeneficiaire.adresse', (row) => row.address)
    .fill('creationBeneficiaire.codePostal', (row) => row.postcode)
    .fill('creationBeneficiaire.commune', (row) => row.city)
    .select('creationBeneficiaire.regime', 'RG')
    .date('creationBeneficiaire.dateEffet', (row) => row.effectiveDate)
    .submit('creationBeneficiaire.creer', { success: 'confirmationBeneficiaire.reference', refusal: 'creationBeneficiaire.refus' }),
});
`,
  e2eTest: (n, rows) =>
    e2eTest(n, rows, {
      application: 'bdo',
      title: 'BDO',
      state: 'apps.bdo',
      sample: 'an adult dependant still on the insured record of the mock BDO',
      entries: "the detachment and the creation of each row's dependant",
      keys: '[`${row.dependantNir}|detachment`, `${row.dependantNir}|creation`]',
    }),
};
