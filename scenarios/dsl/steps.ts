import type { Target } from './targets.ts';

/**
 * The steps of a scenario as data: what the runner reads. Scenarios do not write them by hand:
 * the typed builder (`builder.ts`) produces them, so element references, parameters, row and
 * extracted values are checked by the compiler; `defineScenario` checks them again at load time.
 */

/** Values read from screens by earlier `extract` steps: text, or cents for `parse: 'cents'`. */
export type Vars = Readonly<Record<string, string | number>>;

/** What a step's dynamic parts can read besides the row. */
export interface StepContext<Row, V = Vars> {
  /** The dossier's input row, parsed by the scenario's schema. */
  readonly row: Row;
  /** Values read from screens by earlier `extract` steps. */
  readonly vars: V;
}

/** A literal, or computed from the row and earlier extracted values. */
export type Value<Row, V = Vars> = string | ((row: Row, ctx: StepContext<Row, V>) => string);

/** A parameterised element and its parameters' values: `['fichePs.paiement', { periode: (row) => row.period }]`. */
export type ParamRef<Row, V = Vars> = readonly [ref: string, params: Readonly<Record<string, Value<Row, V>>>];

/**
 * An element of a screen map (`screen.element`), a parameterised one with its values, or a
 * direct target: only login steps use those (the login page has no screen map).
 */
export type TargetOf<Row> = string | ParamRef<Row> | Target;

/** A test on the dossier, or on what the screen shows. */
export type Condition<Row> = ((row: Row, ctx: StepContext<Row>) => boolean) | { visible: TargetOf<Row> };

export interface Common {
  /** Per-step timeout; resolved step → scenario → runner default. */
  timeoutMs?: number;
  /** What the step does, in the words of the procedure; shown in logs and errors. */
  note?: string;
}

/** Open a screen of the screen map, its `{placeholders}` filled from `params` (logs in first if needed). */
export interface OpenStep<Row> extends Common { action: 'open'; screen: string; params?: Readonly<Record<string, Value<Row>>> }
/** Type a value into a text field. */
export interface FillStep<Row> extends Common { action: 'fill'; target: TargetOf<Row>; value: Value<Row> }
/** Type a date given as ISO `yyyy-mm-dd`: as is in a date picker, as dd/mm/yyyy in a text field. */
export interface DateStep<Row> extends Common { action: 'date'; target: TargetOf<Row>; value: Value<Row> }
/** Choose an option (by value, else by visible text) in a drop-down list. */
export interface SelectStep<Row> extends Common { action: 'select'; target: TargetOf<Row>; value: Value<Row> }
/** Tick (or untick) a checkbox, or choose a radio button. */
export interface CheckStep<Row> extends Common { action: 'check'; target: TargetOf<Row>; value?: boolean | ((row: Row, ctx: StepContext<Row>) => boolean) }
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
 * `parse: 'cents'` reads a French amount ("1 234,56 €") into a number of cents, `'date'` a
 * dd/mm/yyyy into ISO.
 */
export interface ExtractStep<Row> extends Common { action: 'extract'; target: TargetOf<Row>; as: string; pattern?: RegExp; parse?: 'text' | 'cents' | 'date' }
/** Run `then` or `else` depending on the dossier or the screen. */
export interface WhenStep<Row> extends Common { action: 'when'; if: Condition<Row>; then: readonly Step<Row>[]; else?: readonly Step<Row>[] }
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
 * back office's reference, `success` itself by default) or a refusal (`refusal`, whose text
 * is the rejection reason). A dry run stops just before it.
 */
export interface SubmitStep<Row> extends Common {
  action: 'submit';
  target: TargetOf<Row>;
  success: TargetOf<Row>;
  reference: TargetOf<Row>;
  refusal: TargetOf<Row>;
}

export type Step<Row> =
  | OpenStep<Row> | FillStep<Row> | DateStep<Row> | SelectStep<Row> | CheckStep<Row> | ClickStep<Row>
  | ExpectStep<Row> | ExtractStep<Row> | WhenStep<Row> | FlowStep<Row>
  | RejectIfStep<Row> | GuardStep<Row> | SubmitStep<Row>;

export type StepAction = Step<unknown>['action'];

export const STEP_ACTIONS: readonly StepAction[] = [
  'open', 'fill', 'date', 'select', 'check', 'click', 'expect', 'extract', 'when', 'flow', 'rejectIf', 'guard', 'submit',
];

/** The fields of each step that name an element on screen (checked at load time). */
export const TARGET_FIELDS: Readonly<Record<StepAction, readonly string[]>> = {
  open: [], fill: ['target'], date: ['target'], select: ['target'], check: ['target'], click: ['target', 'waitFor'],
  expect: ['target'], extract: ['target'], when: [], flow: [],
  rejectIf: ['when', 'reason'], guard: ['found', 'reference'], submit: ['target', 'success', 'reference', 'refusal'],
};

/** Whether a step changes the back office: the submit, or a click marked `commit`. */
export function isCommit<Row>(step: Step<Row>): boolean {
  return step.action === 'submit' || (step.action === 'click' && step.commit === true);
}

/** The nested step lists of a step (when, flow). */
export function childSteps<Row>(step: Step<Row>): { label: string; steps: readonly Step<Row>[] }[] {
  switch (step.action) {
    case 'when': return [{ label: 'then', steps: step.then }, ...(step.else ? [{ label: 'else', steps: step.else }] : [])];
    case 'flow': return [{ label: step.name, steps: step.steps }];
    default: return [];
  }
}
