import { formatCentsForEntry, formatFrenchDate } from '../../domain/french-formats.ts';
import { createBackOfficeApp } from '../../fixtures/backoffice/index.ts';
import { e2eTest } from './e2e-test.ts';
import { minutes, ROW_DOC, scenarioHead } from './scenario-text.ts';
import { SAMPLE_ROWS, type Starter } from './types.ts';

/** The sample's leave: in the year IJ takes (2020), two weeks. */
const LEAVE = { start: '2020-10-05', end: '2020-10-16' };

/**
 * IJ: a sick leave "hors COVID" per insured, from the employer's salary statement: the
 * employer chosen in IJ's autocomplete, the dates typed under their input mask. Guarded by
 * the insured's PRN record starting that day.
 */
export const ijStarter: Starter = {
  application: 'ij',
  summary: 'a sick leave (PRN, hors COVID) per insured in IJ (NIR, employer, dates, three salaries)',
  columns: ['nir', 'siret_employeur', 'date_debut', 'date_fin', 'salaire_1', 'salaire_2', 'salaire_3'],
  sampleRows() {
    // Open rights, an employer IJ knows, and no leave of theirs overlapping the sample's: IJ refuses the others.
    const ij = createBackOfficeApp().apps.ij;
    const free = [...ij.insured.values()].filter(
      (p) => p.rights === 'Droits ouverts' && ij.employers.has(p.employerSiret) && ij.prestationsFor(p.nir).every((l) => l.end < LEAVE.start || l.start > LEAVE.end),
    );
    return free.slice(0, SAMPLE_ROWS).map((p, i) => {
      const salary = formatCentsForEntry(180_000 + i * 12_500);
      return { nir: p.nir, siret_employeur: p.employerSiret, date_debut: formatFrenchDate(LEAVE.start), date_fin: formatFrenchDate(LEAVE.end), salaire_1: salary, salaire_2: salary, salaire_3: salary };
    });
  },
  scenario: (n) => `import { z } from 'zod';
import { formatCentsForEntry } from '../domain/french-formats.ts';
import { ij } from './applications/ij.ts';
import { defineScenario } from './dsl/index.ts';
import { amountCents, frenchDate, nir, siret } from './fields.ts';

${ROW_DOC}
export const ${n.camel}Row = z
  .object({
    nir: nir(),
    siret_employeur: siret(),
    date_debut: frenchDate(),
    date_fin: frenchDate(),
    salaire_1: amountCents(),
    salaire_2: amountCents(),
    salaire_3: amountCents(),
  })
  .refine((r) => r.date_fin >= r.date_debut, { path: ['date_fin'], error: 'is before date_debut: the leave must end on or after its first day' })
  .transform((r) => ({
    nir: r.nir,
    siret: r.siret_employeur,
    start: r.date_debut,
    end: r.date_fin,
    salariesCents: [r.salaire_1, r.salaire_2, r.salaire_3] as const,
  }));

export type ${n.pascal}Row = z.output<typeof ${n.camel}Row>;

${scenarioHead(n, 'ij')}
  applications: [ij],
  input: ${n.camel}Row,
  // IJ takes one leave of an insured starting on a given day.
  key: ['nir', 'start'],
  // Masked in every log line, error, kept page and answer that leaves the robot.
  personal: ['nir'],
${minutes(4, 6)}
  steps: (s) => s
    .open('ficheAssure', { nir: (row) => row.nir }, { note: "open the insured's file" })
    .rejectIf('ficheAssure.erreur', { note: 'unknown insured' })
    .guard(['ficheAssure.prestation', { debut: (row) => row.start }], ['ficheAssure.referencePrestation', { debut: (row) => row.start }], {
      note: 'a leave starting that day already entered',
    })
    .open('saisiePrestation', { nir: (row) => row.nir }, { note: 'the PRN form, for this insured' })
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
    .check('saisiePrestation.natureHorsCovid')
    .fill('saisiePrestation.salaire1', (row) => formatCentsForEntry(row.salariesCents[0]))
    .fill('saisiePrestation.salaire2', (row) => formatCentsForEntry(row.salariesCents[1]))
    .fill('saisiePrestation.salaire3', (row) => formatCentsForEntry(row.salariesCents[2]))
    .submit('saisiePrestation.valider', { success: 'confirmationPrestation.reference', refusal: 'saisiePrestation.refus' }),
});
`,
  e2eTest: (n, rows) =>
    e2eTest(n, rows, {
      application: 'ij',
      title: 'IJ',
      state: 'apps.ij',
      sample: 'an insured with open rights, an employer IJ knows and no leave then',
      entries: "one PRN record per row's insured, starting on the row's first day",
      keys: '[`${row.nir}|${row.start}`]',
    }),
};
