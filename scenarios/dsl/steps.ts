import type { ElementRef } from './screens.ts';
import type { Target } from './targets.ts';

/** A table read from a screen: one record per row, keyed by column header (and `data-*` attributes). */
export type TableRows = readonly Readonly<Record<string, string>>[];

/** What a step's dynamic parts can read. */
export interface StepContext<Row> {
  /** The dossier's input row, parsed by the scenario's schema. */
  readonly row: Row;
  /** Values read from screens by earlier `extract` steps. */
  readonly vars: Readonly<Record<string, string>>;
  /** Tables read by earlier `extractTable` steps. */
  readonly tables: Readonly<Record<string, TableRows>>;
  /** Inside `forEach`: the current table row. */
  readonly item?: Readonly<Record<string, string>>;
}

/** A literal, or computed from the row and earlier extracted values. */
export type Value<Row> = string | ((ctx: StepContext<Row>) => string);
/** An element of a screen map (`screen.element`), a direct target, or either computed from the dossier. */
export type TargetOf<Row> = ElementRef | Target | ((ctx: StepContext<Row>) => ElementRef | Target);
/** A test on the dossier, or on what the screen shows. */
export type Condition<Row> = ((ctx: StepContext<Row>) => boolean) | { visible: TargetOf<Row> };

interface Common {
  /** Per-step timeout; resolved step → scenario → runner default. */
  timeoutMs?: number;
  /** What the step does, in the words of the procedure; shown in logs and errors. */
  note?: string;
}

/** Open a page of an application by path (logs in first if needed). Prefer `open` with a screen map. */
export interface GotoStep<Row> extends Common { action: 'goto'; application: string; path: Value<Row> }
/** Open a screen of the screen map, its `{placeholders}` filled from `params` (logs in first if needed). */
export interface OpenStep<Row> extends Common { action: 'open'; screen: string; params?: Readonly<Record<string, Value<Row>>> }
/** Type a value into a text field. */
export interface FillStep<Row> extends Common { action: 'fill'; target: TargetOf<Row>; value: Value<Row> }
/** Type a date given as ISO `yyyy-mm-dd`: as is in a date picker, as dd/mm/yyyy in a text field. */
export interface DateStep<Row> extends Common { action: 'date'; target: TargetOf<Row>; value: Value<Row> }
/** Choose an option (by value, else by visible text) in a drop-down list. */
export interface SelectStep<Row> extends Common { action: 'select'; target: TargetOf<Row>; value: Value<Row> }
/** Tick (or untick) a checkbox, or choose a radio button. */
export interface CheckStep<Row> extends Common { action: 'check'; target: TargetOf<Row>; value?: boolean | ((ctx: StepContext<Row>) => boolean) }
/**
 * Click; then wait for the page to settle and, if given, for `waitFor` to show. A click that
 * changes the back office before the final submit (confirming a detachment...) is a `commit`:
 * a dry run stops before it, and a guard must come before it.
 */
export interface ClickStep<Row> extends Common { action: 'click'; target: TargetOf<Row>; waitFor?: TargetOf<Row>; commit?: boolean }
/** Assert that an element is visible (and, optionally, shows a text). */
export interface ExpectStep<Row> extends Common { action: 'expect'; target: TargetOf<Row>; text?: string | RegExp }
/**
 * Read an element's text into a variable. `pattern`'s first group, if given, is kept;
 * `parse: 'cents'` reads a French amount ("1 234,56 €") into cents, `'date'` a dd/mm/yyyy into ISO.
 */
export interface ExtractStep<Row> extends Common { action: 'extract'; target: TargetOf<Row>; as: string; pattern?: RegExp; parse?: 'text' | 'cents' | 'date' }
/** Read a table (header cells as keys, plus each row's `data-*` attributes) for `forEach` or computations. */
export interface ExtractTableStep<Row> extends Common { action: 'extractTable'; target: TargetOf<Row>; as: string }
/** Run `then` or `else` depending on the dossier or the screen. */
export interface WhenStep<Row> extends Common { action: 'when'; if: Condition<Row>; then: readonly Step<Row>[]; else?: readonly Step<Row>[] }
/** Run `do` for each row of a table read earlier (optionally only those `where` accepts). */
export interface ForEachStep<Row> extends Common {
  action: 'forEach';
  table: string;
  where?: (item: Readonly<Record<string, string>>, ctx: StepContext<Row>) => boolean;
  do: readonly Step<Row>[];
}
/** A named sub-flow shared by several scenarios (search an insured, open a record...). */
export interface FlowStep<Row> extends Common { action: 'flow'; name: string; steps: readonly Step<Row>[] }
/**
 * When `when` is on screen, the back office refuses the dossier: it ends `rejected`
 * with the text of `reason` (defaults to `when`) as the reason.
 */
export interface RejectIfStep<Row> extends Common { action: 'rejectIf'; when: TargetOf<Row>; reason?: TargetOf<Row> }
/**
 * Exactly-once: when `found` is on screen the dossier was already entered (by an
 * earlier attempt, a crashed worker or a human); it ends `done` with the reference
 * read from `reference` and nothing is entered again.
 */
export interface GuardStep<Row> extends Common { action: 'guard'; found: TargetOf<Row>; reference: TargetOf<Row> }
/**
 * The commit: click, then wait for the confirmation (`success`; `reference` gives the
 * back office's reference) or a refusal (`refusal`, whose text is the rejection reason).
 * A dry run stops just before it.
 */
export interface SubmitStep<Row> extends Common {
  action: 'submit';
  target: TargetOf<Row>;
  success: TargetOf<Row>;
  reference: TargetOf<Row>;
  refusal: TargetOf<Row>;
}

export type Step<Row> =
  | GotoStep<Row> | OpenStep<Row> | FillStep<Row> | DateStep<Row> | SelectStep<Row> | CheckStep<Row> | ClickStep<Row>
  | ExpectStep<Row> | ExtractStep<Row> | ExtractTableStep<Row> | WhenStep<Row> | ForEachStep<Row> | FlowStep<Row>
  | RejectIfStep<Row> | GuardStep<Row> | SubmitStep<Row>;

export type StepAction = Step<unknown>['action'];

export const STEP_ACTIONS: readonly StepAction[] = [
  'goto', 'open', 'fill', 'date', 'select', 'check', 'click', 'expect', 'extract', 'extractTable',
  'when', 'forEach', 'flow', 'rejectIf', 'guard', 'submit',
];

/** The fields of each step that name an element on screen (checked at load time). */
export const TARGET_FIELDS: Readonly<Record<StepAction, readonly string[]>> = {
  goto: [], open: [], fill: ['target'], date: ['target'], select: ['target'], check: ['target'], click: ['target', 'waitFor'],
  expect: ['target'], extract: ['target'], extractTable: ['target'], when: [], forEach: [], flow: [],
  rejectIf: ['when', 'reason'], guard: ['found', 'reference'], submit: ['target', 'success', 'reference', 'refusal'],
};

/** Whether a step changes the back office: the submit, or a click marked `commit`. */
export function isCommit<Row>(step: Step<Row>): boolean {
  return step.action === 'submit' || (step.action === 'click' && step.commit === true);
}

/** The nested step lists of a step (when, forEach, flow). */
export function childSteps<Row>(step: Step<Row>): { label: string; steps: readonly Step<Row>[] }[] {
  switch (step.action) {
    case 'when': return [{ label: 'then', steps: step.then }, ...(step.else ? [{ label: 'else', steps: step.else }] : [])];
    case 'forEach': return [{ label: 'do', steps: step.do }];
    case 'flow': return [{ label: step.name, steps: step.steps }];
    default: return [];
  }
}

/** Step constructors: a scenario's steps read like the procedure on screen. */
export const steps = {
  goto: <Row>(application: string, path: Value<Row>, extra: Common = {}): GotoStep<Row> => ({ action: 'goto', application, path, ...extra }),
  open: <Row>(screen: string, params?: Readonly<Record<string, Value<Row>>>, extra: Common = {}): OpenStep<Row> =>
    ({ action: 'open', screen, ...(params ? { params } : {}), ...extra }),
  fill: <Row>(target: TargetOf<Row>, value: Value<Row>, extra: Common = {}): FillStep<Row> => ({ action: 'fill', target, value, ...extra }),
  date: <Row>(target: TargetOf<Row>, isoValue: Value<Row>, extra: Common = {}): DateStep<Row> => ({ action: 'date', target, value: isoValue, ...extra }),
  select: <Row>(target: TargetOf<Row>, value: Value<Row>, extra: Common = {}): SelectStep<Row> => ({ action: 'select', target, value, ...extra }),
  check: <Row>(target: TargetOf<Row>, value: CheckStep<Row>['value'] = true, extra: Common = {}): CheckStep<Row> => ({ action: 'check', target, value, ...extra }),
  click: <Row>(target: TargetOf<Row>, extra: Common & { waitFor?: TargetOf<Row>; commit?: boolean } = {}): ClickStep<Row> => ({ action: 'click', target, ...extra }),
  expect: <Row>(target: TargetOf<Row>, extra: Common & { text?: string | RegExp } = {}): ExpectStep<Row> => ({ action: 'expect', target, ...extra }),
  extract: <Row>(target: TargetOf<Row>, as: string, extra: Common & Pick<ExtractStep<Row>, 'pattern' | 'parse'> = {}): ExtractStep<Row> =>
    ({ action: 'extract', target, as, ...extra }),
  extractTable: <Row>(target: TargetOf<Row>, as: string, extra: Common = {}): ExtractTableStep<Row> => ({ action: 'extractTable', target, as, ...extra }),
  when: <Row>(condition: Condition<Row>, then: readonly Step<Row>[], otherwise?: readonly Step<Row>[], extra: Common = {}): WhenStep<Row> =>
    ({ action: 'when', if: condition, then, ...(otherwise ? { else: otherwise } : {}), ...extra }),
  forEach: <Row>(table: string, body: readonly Step<Row>[], extra: Common & Pick<ForEachStep<Row>, 'where'> = {}): ForEachStep<Row> =>
    ({ action: 'forEach', table, do: body, ...extra }),
  rejectIf: <Row>(when: TargetOf<Row>, extra: Common & { reason?: TargetOf<Row> } = {}): RejectIfStep<Row> => ({ action: 'rejectIf', when, ...extra }),
  guard: <Row>(found: TargetOf<Row>, reference: TargetOf<Row>, extra: Common = {}): GuardStep<Row> => ({ action: 'guard', found, reference, ...extra }),
  submit: <Row>(target: TargetOf<Row>, outcome: Pick<SubmitStep<Row>, 'success' | 'reference' | 'refusal'>, extra: Common = {}): SubmitStep<Row> =>
    ({ action: 'submit', target, ...outcome, ...extra }),
};

/**
 * Declares a sub-flow reused by several scenarios. Write it as a function of what it
 * needs so that each scenario passes its own values:
 * `const searchInsured = <Row>(nir: Value<Row>) => defineFlow('search insured', [...])`.
 */
export function defineFlow<Row>(name: string, list: readonly Step<Row>[]): FlowStep<Row> {
  return { action: 'flow', name, steps: list };
}
