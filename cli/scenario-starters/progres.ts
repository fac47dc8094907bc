import { formatCentsForEntry } from '../../domain/french-formats.ts';
import { createBackOfficeApp, MOTIF_MAX_LENGTH } from '../../fixtures/backoffice/index.ts';
import { e2eTest } from './e2e-test.ts';
import { minutes, ROW_DOC, scenarioHead } from './scenario-text.ts';
import { SAMPLE_ROWS, type Starter } from './types.ts';

/** Progrès: a DIPA period-1 payment per professional, guarded by the payment row of that scheme and period. */
export const progresStarter: Starter = {
  application: 'progres',
  summary: 'a DIPA period-1 payment per professional in Progrès (PS number, amount, IBAN)',
  columns: ['numero_ps', 'montant', 'iban'],
  sampleRows() {
    // Progrès pays only professionals under convention: the others would be refused.
    const payable = [...createBackOfficeApp().state.professionals.values()].filter((p) => p.conventioned).slice(0, SAMPLE_ROWS);
    return payable.map((p, i) => ({ numero_ps: p.ps, montant: formatCentsForEntry(100_000 + i * 2_550), iban: p.iban }));
  },
  // The motif is the scenario's id, cut to what the field holds (a longer one is a form error, not a refusal).
  scenario: (n) => `import { z } from 'zod';
import { formatCentsForEntry } from '../domain/french-formats.ts';
import { progres } from './applications/progres.ts';
import { defineScenario } from './dsl/index.ts';
import { amountCents, iban, psNumber } from './fields.ts';

${ROW_DOC}
export const ${n.camel}Row = z
  .object({
    numero_ps: psNumber(),
    montant: amountCents(),
    iban: iban(),
  })
  .transform((r) => ({ ps: r.numero_ps, amountCents: r.montant, iban: r.iban }));

export type ${n.pascal}Row = z.output<typeof ${n.camel}Row>;

${scenarioHead(n, 'progres')}
  applications: [progres],
  input: ${n.camel}Row,
  key: ['ps'],
  // Masked in every log line, error, kept page and answer that leaves the robot.
  personal: ['iban'],
${minutes(5, 7)}
  steps: (s) => s
    .open('fichePs', { numero: (row) => row.ps }, { note: "open the professional's record" })
    .rejectIf('fichePs.erreur', { note: 'unknown professional' })
    .guard(
      ['fichePs.paiement', { dispositif: 'DIPA', periode: 'P1' }],
      ['fichePs.referencePaiement', { dispositif: 'DIPA', periode: 'P1' }],
      { note: 'already paid' },
    )
    .open('paiement', { ps: (row) => row.ps }, { note: 'the payment form' })
    .select('paiement.dispositif', 'DIPA-P1')
    .fill('paiement.montant', (row) => formatCentsForEntry(row.amountCents))
    .select('paiement.reglement', 'VIR')
    .fill('paiement.iban', (row) => row.iban)
    .fill('paiement.motif', '${n.id.slice(0, MOTIF_MAX_LENGTH)}')
    .submit('paiement.valider', { success: 'confirmationPaiement.reference', refusal: 'paiement.refus' }),
});
`,
  e2eTest: (n, rows) =>
    e2eTest(n, rows, {
      application: 'progres',
      title: 'Progrès',
      state: 'state',
      sample: 'a professional under convention the mock Progrès pays',
      entries: "one DIPA period-1 payment per row's professional",
      keys: '[`${row.ps}|DIPA|P1`]',
    }),
};
