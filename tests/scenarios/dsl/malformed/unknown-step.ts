/** A scenario file with a typo in a step type, as an author might save it: loading it must fail. */
import { paymentRow, progres } from '../../../../scenarios/applications/progres.ts';
import { dipaRow, type DipaRow } from '../../../../scenarios/dipa-payment.ts';
import { css, defineScenario, steps, type Step } from '../../../../scenarios/dsl/index.ts';

export const unknownStep = defineScenario<DipaRow>({
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
  steps: [
    steps.open('fichePs', { numero: ({ row }) => row.ps }),
    steps.guard(({ row }) => css(paymentRow('DIPA', 'periode', row.period)), ({ row }) => css(`${paymentRow('DIPA', 'periode', row.period)} .reference`)),
    { action: 'clic', target: 'fichePs.saisirPaiement' } as unknown as Step<DipaRow>,
    steps.submit('paiement.valider', { success: 'confirmationPaiement.reference', reference: 'confirmationPaiement.reference', refusal: 'paiement.refus' }),
  ],
});
