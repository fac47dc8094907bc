/** A scenario file naming a screen field the screen map does not have (inside a `when`): the compiler says so, and loading it fails. */
import { progres } from '../../../../scenarios/applications/progres.ts';
import { dipaRow } from '../../../../scenarios/dipa-payment.ts';
import { defineScenario } from '../../../../scenarios/dsl/index.ts';

export const undefinedField = defineScenario({
  id: 'malformed-undefined-field',
  title: 'A screen field that does not exist',
  version: '1.0.0',
  scope: 'local',
  owner: 'tests',
  applications: [progres],
  input: dipaRow,
  key: ['ps', 'period'],
  personal: [],
  manualMinutes: 6,
  steps: (s) => s
    .open('fichePs', { numero: (row) => row.ps })
    .guard(['fichePs.paiement', { dispositif: 'DIPA', periode: (row) => row.period }], ['fichePs.referencePaiement', { dispositif: 'DIPA', periode: (row) => row.period }])
    .click('fichePs.saisirPaiement')
    .when((row) => row.period === 'P2', (then) => then
      // @ts-expect-error no such field
      .fill('paiement.montantP2', '1,00'))
    .submit('paiement.valider', { success: 'confirmationPaiement.reference', refusal: 'paiement.refus' }),
});
