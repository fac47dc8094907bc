import { formatCentsForEntry } from '../../domain/french-formats.ts';
import { createBackOfficeApp } from '../../fixtures/backoffice/index.ts';
import { EVP_MOTIF_MAX_LENGTH } from '../../fixtures/grh/index.ts';
import { e2eTest } from './e2e-test.ts';
import { minutes, ROW_DOC, scenarioHead } from './scenario-text.ts';
import { SAMPLE_ROWS, type Starter } from './types.ts';

/**
 * GRH: a 2020 Covid bonus per agent (rubrique PCV500, June's pay), the only payroll item its
 * entry form offers, guarded by the agent's 2020 Covid bonus in their file.
 */
export const grhStarter: Starter = {
  application: 'grh',
  summary: 'a 2020 Covid bonus per agent in GRH (matricule, amount)',
  columns: ['matricule', 'montant'],
  sampleRows() {
    // Agents still on the staff and not paid yet: GRH refuses the others, or the guard finds their bonus.
    const grh = createBackOfficeApp().apps.grh;
    const payable = [...grh.agents.values()].filter((a) => a.status === 'En activité' && !grh.covidBonusFor(a.matricule)).slice(0, SAMPLE_ROWS);
    // Under the PCV500 ceiling (500 €).
    return payable.map((a, i) => ({ matricule: a.matricule, montant: formatCentsForEntry(25_000 + i * 1_250) }));
  },
  // The motif is the scenario's id, cut to what the field holds (a longer one is a form error, not a refusal).
  scenario: (n) => `import { z } from 'zod';
import { formatCentsForEntry } from '../domain/french-formats.ts';
import { grh } from './applications/grh.ts';
import { defineScenario } from './dsl/index.ts';
import { amountCents, requiredText } from './fields.ts';

${ROW_DOC}
export const ${n.camel}Row = z
  .object({
    matricule: requiredText().regex(/^\\d{6}$/, { error: (issue) => \`"\${String(issue.input)}" is not a matricule (6 digits)\` }),
    montant: amountCents(),
  })
  .transform((r) => ({ matricule: r.matricule, amountCents: r.montant }));

export type ${n.pascal}Row = z.output<typeof ${n.camel}Row>;

${scenarioHead(n, 'grh')}
  applications: [grh],
  input: ${n.camel}Row,
  key: ['matricule'],
  // Masked in every log line, error, kept page and answer that leaves the robot: a matricule names an employee.
  personal: ['matricule'],
${minutes(3, 4)}
  steps: (s) => s
    .open('ficheAgent', { matricule: (row) => row.matricule }, { note: "open the agent's file" })
    .rejectIf('ficheAgent.erreur', { note: 'unknown agent' })
    .guard('ficheAgent.primeCovid', 'ficheAgent.referencePrimeCovid', { note: 'a Covid bonus already entered for this agent in 2020' })
    .open('saisieEvp', { matricule: (row) => row.matricule }, { note: 'the entry form, for this agent' })
    .select('saisieEvp.rubrique', 'PCV500')
    .fill('saisieEvp.montant', (row) => formatCentsForEntry(row.amountCents))
    .select('saisieEvp.mois', '06/2020')
    .fill('saisieEvp.motif', '${n.id.slice(0, EVP_MOTIF_MAX_LENGTH)}')
    .submit('saisieEvp.enregistrer', { success: 'confirmationEvp.reference', refusal: 'saisieEvp.refus' }),
});
`,
  e2eTest: (n, rows) =>
    e2eTest(n, rows, {
      application: 'grh',
      title: 'GRH',
      state: 'apps.grh',
      sample: 'an agent on the staff the mock GRH has no Covid bonus for',
      entries: "one 2020 Covid bonus per row's agent",
      keys: '[`${row.matricule}|PCV|2020`]',
    }),
};
