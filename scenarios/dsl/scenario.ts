import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ScenarioDefinitionError } from '../../core/errors.ts';
import { scrubber, type Scrubber } from '../../core/personal-data.ts';
import { maskNir } from '../../domain/identifiers.ts';
import type { ApplicationDefinition } from './application.ts';
import { Steps } from './builder.ts';
import { ScreenIndex, type ScreenMap } from './screens.ts';
import { childSteps, isCommit, type Step } from './steps.ts';
import { validateSteps } from './validate.ts';

/** One raw input row as read from a file: column name → cell text. */
export type RawRow = Record<string, string | undefined>;

/** The screen maps of a scenario's applications (a union: references are computed on each). */
export type ScreensOf<A extends readonly ApplicationDefinition<any>[]> = A[number]['screens'];

/** Fields of a scenario besides its applications, input and steps (the same, loaded or written). */
interface ScenarioHeader<Row> {
  /** Stable identifier, kebab-case; part of job ids and ledger entries. */
  id: string;
  title: string;
  /** Semantic version, recorded with every dossier so gains can be traced to a version. */
  version: string;
  /** `national` scenarios are deployed to every caisse, `local` ones to one. */
  scope: 'local' | 'national';
  /** Who maintains it (MOAD team, a caisse). */
  owner: string;
  /** Fields of the parsed row that make a dossier unique; it is never entered twice. */
  key: readonly (keyof Row & string)[];
  /**
   * Fields of the parsed row that are personal data (names, addresses, NIR, IBAN): their
   * values are masked in every message, log line, kept page and answer that leaves the
   * robot. NIRs, IBANs, e-mail addresses and telephone numbers are masked wherever they
   * show anyway; names can only be masked when declared here.
   */
  personal: readonly (keyof Row & string)[];
  /** Minutes a human spends on one dossier by hand: what the robot saves. */
  manualMinutes: number;
  /**
   * Minutes a human spends redoing a dossier the robot failed for good (it goes to a
   * person's work list): deducted from the hours saved. @defaultValue 0
   */
  reworkMinutes?: number;
  /** Default timeout of this scenario's steps. */
  timeoutMs?: number;
}

/**
 * A scenario as its author writes it: one kind of dossier, described as data. `input` parses
 * one raw row into the typed, JSON-safe row the steps read; the row's type is inferred from it.
 * `steps` writes the procedure with the typed step builder, `(s) => s.open(...).fill(...)...`:
 * element references, `open`'s parameters, the row and extracted values are checked by the
 * compiler against the applications' screen maps.
 */
export interface ScenarioDefinition<Row, A extends readonly ApplicationDefinition<any>[], I> extends ScenarioHeader<Row> {
  applications: A;
  /** Validates and coerces one input row; issues name the input column. */
  input: I;
  steps: (steps: Steps<Row, ScreensOf<A>, {}>) => Steps<Row, ScreensOf<A>, any>;
}

/** A NIR (13 digits and key, or the 13 alone) is personal data: masked wherever it is named. */
function maskedIfNir(value: string): string {
  return /^[12]\d{4}(\d{2}|2A|2B)\d{6}(\d{2})?$/i.test(value.replace(/\s+/g, '')) ? maskNir(value) : value;
}

/** A personal field's value as text (a name, a NIR; a number for a code). */
function personalValue(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** A loaded, checked scenario. */
export interface Scenario<Row extends Record<string, unknown> = Record<string, unknown>> extends Readonly<ScenarioHeader<Row>> {
  readonly applications: readonly ApplicationDefinition[];
  /** Validates and coerces one input row; issues name the input column. */
  readonly input: z.ZodType<Row, RawRow>;
  /** The steps, as the builder produced them: plain data the runner reads. */
  readonly steps: readonly Step<Row>[];
  readonly reworkMinutes: number;
  /** The dossier's business key, e.g. `123456782|P1`. */
  businessKey(row: Row): string;
  /**
   * The business key as a person looks it up in the application (`ps 591000005, period P1`),
   * a NIR masked (`nir 2 85 ** ** *** *** 47, start 2020-04-06`): for messages that are kept.
   */
  describeKey(row: Row): string;
  /** Masks this dossier's personal values (the fields declared `personal`) and the personal patterns. */
  scrubberFor(row: Row): Scrubber;
  /** The screens of the scenario's applications, by name. */
  readonly screens: ScreenIndex;
  /** The file that defined it, for messages. */
  readonly file: string | undefined;
}

/** Any scenario, whatever its row type (the catalogue, the CLI). */
export type AnyScenario = Scenario<any>;

const DSL_DIR = fileURLToPath(new URL('.', import.meta.url));

/** The source file of the code that called `defineScenario`, read from the stack. */
function callerFile(): string | undefined {
  const lines = new Error().stack?.split('\n') ?? [];
  const line = lines.find((l, i) => i > 0 && !l.includes(DSL_DIR) && !l.includes('/node_modules/') && !l.includes('node:'));
  const match = line && /(?:file:\/\/)?(\/[^\s:()]+\.[cm]?[jt]s)/.exec(line);
  if (!match) return undefined;
  const cwd = process.cwd() + '/';
  return match[1]!.startsWith(cwd) ? match[1]!.slice(cwd.length) : match[1];
}

/**
 * Steps in the order they can run, nested ones included, each with whether it runs on every
 * dossier: the list's own steps and those of its flows do, a `when`'s branches may be skipped.
 */
function flatten<Row>(list: readonly Step<Row>[], always = true): { step: Step<Row>; always: boolean }[] {
  return list.flatMap((step) => [
    { step, always },
    ...childSteps(step).flatMap((c) => flatten(c.steps, always && step.action === 'flow')),
  ]);
}

const header = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case (lower-case letters, digits, dashes)'),
  title: z.string().min(1),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a semantic version like 1.0.0'),
  scope: z.enum(['local', 'national']),
  owner: z.string().min(1),
  manualMinutes: z.number().positive('must be the positive number of minutes a human spends on one dossier'),
  reworkMinutes: z.number().min(0, 'must be 0 or more minutes a human spends redoing a failed dossier').optional(),
  timeoutMs: z.number().positive().optional(),
  key: z.array(z.string().min(1)).min(1, 'at least one field makes a dossier unique'),
  personal: z.array(z.string().min(1), { error: 'list the input fields that are personal data (names, NIR, IBAN, address), or [] if none' }),
  applications: z.array(z.object({ id: z.string() }).loose()).min(1, 'at least one application'),
  input: z.custom<z.ZodType>((v) => v instanceof z.ZodType, 'must be a zod schema'),
  steps: z.custom<unknown>((v) => typeof v === 'function', 'must be a function of the step builder: (s) => s.open(...).fill(...)...'),
});

/**
 * Declares a scenario. Everything that can be checked without a browser is checked
 * here, so a malformed scenario fails at load time with the scenario and step named.
 * The exactly-once rule is enforced too: a scenario that commits (`submit`) must
 * first check the back office (`guard`) for an earlier entry of the same dossier, with
 * a guard that runs on every dossier (at the top level of the steps or in a flow there,
 * not in a `when` branch).
 */
export function defineScenario<const A extends readonly ApplicationDefinition<any>[], I extends z.ZodType<Record<string, unknown>, RawRow>>(
  definition: ScenarioDefinition<z.output<I>, A, I>,
): Scenario<z.output<I>> {
  type Row = z.output<I>;
  const file = callerFile();
  const name = `${String((definition as { id?: unknown })?.id ?? '(no id)')}${file ? ` (${file})` : ''}`;
  const parsed = header.safeParse(definition);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScenarioDefinitionError(name, `${issue?.path.join('.') || 'definition'}: ${issue?.message}`);
  }
  const applications = new Set(definition.applications.map((a) => a.id));
  if (applications.size !== definition.applications.length) throw new ScenarioDefinitionError(name, 'applications: an application is listed twice');
  const screens = new ScreenIndex(definition.applications);
  let steps: readonly Step<Row>[];
  try {
    steps = definition.steps(new Steps<Row, ScreenMap, {}>([], screens) as Steps<Row, ScreensOf<A>, {}>).list;
  } catch (error) {
    throw new ScenarioDefinitionError(name, `steps: ${(error as Error).message}`);
  }
  validateSteps(name, steps, { screens });

  const flat = flatten(steps);
  if (flat.filter(({ step }) => step.action === 'submit').length > 1) throw new ScenarioDefinitionError(name, 'steps: at most one submit step (the commit) per scenario');
  const firstCommit = flat.findIndex(({ step }) => isCommit(step));
  // Only a guard that runs on every dossier protects the commit: one in a `when` branch may be skipped.
  if (firstCommit >= 0 && !flat.slice(0, firstCommit).some(({ step, always }) => always && step.action === 'guard')) {
    const what = flat[firstCommit]!.step.action === 'submit' ? 'submit' : 'click (commit)';
    throw new ScenarioDefinitionError(
      name,
      `${what}: a guard step must come before the first commit, so a dossier already entered is never entered again` +
        ' (at the top level of the steps or in a flow there: a guard in a when branch may be skipped)',
    );
  }

  const key = [...definition.key];
  const personal = [...definition.personal];
  return Object.freeze({
    ...definition,
    input: definition.input as unknown as z.ZodType<Row, RawRow>,
    steps,
    reworkMinutes: definition.reworkMinutes ?? 0,
    screens,
    file,
    businessKey: (row: Row) => key.map((k) => String(row[k])).join('|'),
    describeKey: (row: Row) => key.map((k) => `${k} ${maskedIfNir(String(row[k]))}`).join(', '),
    scrubberFor: (row: Row) => scrubber.with(personal.map((f) => personalValue(row[f]))),
  });
}
