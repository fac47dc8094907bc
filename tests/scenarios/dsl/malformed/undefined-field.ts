/** A scenario file naming a screen field the screen map does not have (inside a `when`): loading it must fail. */
import { paymentRow, progres } from '../../../../scenarios/applications/progres.ts';
import { dipaRow, type DipaRow } from '../../../../scenarios/dipa-payment.ts';
import { css, defineScenario, steps } from '../../../../scenarios/dsl/index.ts';

export const undefinedField = defineScenario<DipaRow>({
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
  steps: [
    steps.open('fichePs', { numero: ({ row }) => row.ps }),
    steps.guard(({ row }) => css(paymentRow('DIPA', 'periode', row.period)), ({ row }) => css(`${paymentRow('DIPA', 'periode', row.period)} .reference`)),
    steps.click('fichePs.saisirPaiement'),
    steps.when(({ row }) => row.period === 'P2', [steps.fill('paiement.montantP2', '1,00')]),
    steps.submit('paiement.valider', { success: 'confirmationPaiement.reference', reference: 'confirmationPaiement.reference', refusal: 'paiement.refus' }),
  ],
});
