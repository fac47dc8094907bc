import type { StarterApplication } from './applications.ts';

/** The names the templates need, derived once from the scenario's id and the sample's path. */
export interface TemplateNames {
  /** `remboursement-test` */
  id: string;
  /** `remboursementTest`: the scenario's export. */
  camel: string;
  /** `RemboursementTest`: the row type is `${pascal}Row`. */
  pascal: string;
  /** The sample, relative to `tests/scenarios/` (`../../input/remboursement-test-sample.csv`). */
  sampleFromTest: string;
}

/**
 * One application's starter: the smallest procedure its mock accepts (open a record, a
 * rejection if the record is unknown, the guard, the form's fields, the submit), a sample
 * its mock accepts and the end-to-end test that proves both.
 */
export interface Starter {
  application: StarterApplication;
  /** What the starter enters, in one line for the command's output. */
  summary: string;
  /** The sample file's columns, in order. */
  columns: readonly string[];
  /** Rows the mock accepts, from its seeded data (the default seed, as the tests start it). */
  sampleRows(): Record<string, string>[];
  scenario(n: TemplateNames): string;
  e2eTest(n: TemplateNames, rows: number): string;
}

/** How many rows a sample holds: enough to run side by side, few enough to read. */
export const SAMPLE_ROWS = 5;
