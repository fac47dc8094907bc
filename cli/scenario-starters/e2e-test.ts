import type { StarterApplication } from './applications.ts';
import type { TemplateNames } from './types.ts';

/** What the end-to-end test of one application's starter needs to know about the application. */
export interface E2eSpec {
  application: StarterApplication;
  /** Its name in the test's title: `Progrès`, `GRH`. */
  title: string;
  /** Where the mock holds its state, from `e2e.backOffice`: `state` (Progrès), `apps.grh`. */
  state: string;
  /** What each sample row is, for the comment on the sample. */
  sample: string;
  /** What the application holds once per row, for the comment on the expected keys. */
  entries: string;
  /** An expression of `row` (the parsed row): the business keys its entry adds to the application's `entriesByKey()`. */
  keys: string;
}

/**
 * The end-to-end test of a starter: the sample entered once (each expected business key
 * added to the application once, nothing else), the same file again finding every dossier
 * done in the ledger, and a deployment whose ledger is empty stopped by the guard, entering
 * nothing. On the e2e tests' shared setup and helpers (tests/support/).
 */
export const e2eTest = (n: TemplateNames, rows: number, spec: E2eSpec): string => `import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ${n.camel}, ${n.camel}Row } from '../../scenarios/${n.id}.ts';
import { duplicatesIn, entryCount } from '../support/backoffice-entries.ts';
import { useE2e } from '../support/e2e.ts';
import { copySample } from '../support/files.ts';
import { validRows } from '../support/input-rows.ts';

/** Written by \`proweb new\`: every row valid, each ${spec.sample}. */
const SAMPLE = fileURLToPath(new URL('${n.sampleFromTest}', import.meta.url));
const ROWS = ${rows};

/** A real Redis, the mock back office and a robot logged in to ${spec.title}, for this file. */
const e2e = useE2e({ applications: ['${spec.application}'], robot: { concurrency: 2 } });

/** Business key → references of what ${spec.title} holds for it: two references are an entry made twice. */
const entriesByKey = () => e2e.backOffice.${spec.state}.entriesByKey();

/** A campaign on a copy of the sample (it writes next to its input), under a key prefix: a deployment. */
const run = async (prefix: string) => e2e.campaign(${n.camel}, await copySample(SAMPLE), { prefix }).result;

/** The business keys ${spec.title} must gain, once each: ${spec.entries}. */
async function expectedKeys(): Promise<string[]> {
  return [...(await validRows(${n.camel}Row, SAMPLE)).values()].flatMap((row) => ${spec.keys}).sort();
}

describe('${n.id} against the mock ${spec.title}', () => {
  it('enters each row of the sample once; run again, or by a deployment whose ledger never saw it, it enters nothing', async () => {
    // What the mock held before (its seeded data): the campaign adds the expected keys, once each, and nothing else.
    const before = entriesByKey();
    const expected = await expectedKeys();
    const prefix = e2e.redis.prefix();
    const first = await run(prefix);
    expect(first.submission).toMatchObject({ rows: ROWS, invalidRows: 0, alreadyDone: 0 });
    expect(first.finished.map((f) => f.status)).toEqual(Array(ROWS).fill('done'));
    const after = entriesByKey();
    expect([...after.keys()].filter((key) => !before.has(key)).sort()).toEqual(expected);
    expect(entryCount(after)).toBe(entryCount(before) + expected.length);
    expect(duplicatesIn(after)).toEqual([]);

    // The same file again: the ledger knows every dossier is done.
    const again = await run(prefix);
    expect(again.submission).toMatchObject({ rows: ROWS, alreadyDone: ROWS });

    // Another deployment, its ledger empty: the guard finds each entry on screen, and nothing is entered.
    const fresh = await run(e2e.redis.prefix());
    expect(fresh.finished.map((f) => f.status)).toEqual(Array(ROWS).fill('done'));
    expect(entriesByKey()).toEqual(after);
  });
});
`;
