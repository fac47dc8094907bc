/** A scenario file with a typo in a step type, as an author might save it: the compiler says so, and loading it fails. */
import { progres } from '../../../../scenarios/applications/progres.ts';
import { dipaRow } from '../../../../scenarios/dipa-payment.ts';
import { defineScenario } from '../../../../scenarios/dsl/index.ts';

export const unknownStep = defineScenario({
  id: 'malformed-unknown-step',
  title: 'A step type that does not exist',
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
    // @ts-expect-error no such step
    .clic('fichePs.saisirPaiement')
    .submit('paiement.valider', { success: 'confirmationPaiement.reference', refusal: 'paiement.refus' }),
});
