import type { Target } from './targets.ts';

/** What a step's dynamic parts can read: the dossier's input row and values extracted by earlier steps. */
export interface StepContext<Row> {
  readonly row: Row;
  readonly vars: Readonly<Record<string, string>>;
}

/** A literal, or computed from the row and earlier extracted values. */
export type Value<Row> = string | ((ctx: StepContext<Row>) => string);
/** A target, or one that depends on the dossier (e.g. the table row of this period). */
export type TargetOf<Row> = Target | ((ctx: StepContext<Row>) => Target);

interface Common {
  /** Per-step timeout; resolved step → scenario → runner default. */
  timeoutMs?: number;
  /** What the step does, in the words of the procedure; shown in logs and errors. */
  note?: string;
}

/** Open a page of one of the scenario's applications (logs in first if needed). */
export interface GotoStep<Row> extends Common { action: 'goto'; application: string; path: Value<Row> }
/** Type a value into a field. */
export interface FillStep<Row> extends Common { action: 'fill'; target: TargetOf<Row>; value: Value<Row> }
/** Choose an option (by value, else by visible text) in a drop-down list. */
export interface SelectStep<Row> extends Common { action: 'select'; target: TargetOf<Row>; value: Value<Row> }
/** Click and wait for the page to settle. */
export interface ClickStep<Row> extends Common { action: 'click'; target: TargetOf<Row> }
/** Assert that an element is visible (and, optionally, shows a text). */
export interface ExpectStep<Row> extends Common { action: 'expect'; target: TargetOf<Row>; text?: string | RegExp }
/** Read an element's text into a variable for later steps; `pattern`'s first group, if given, is kept. */
export interface ExtractStep<Row> extends Common { action: 'extract'; target: TargetOf<Row>; as: string; pattern?: RegExp }
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
 * The commit: click, then wait for the confirmation (`success`, whose text gives the
 * back office's reference) or a refusal (`refusal`, whose text is the rejection reason).
 */
export interface SubmitStep<Row> extends Common {
  action: 'submit';
  target: TargetOf<Row>;
  success: TargetOf<Row>;
  reference: TargetOf<Row>;
  refusal: TargetOf<Row>;
}

export type Step<Row> =
  | GotoStep<Row> | FillStep<Row> | SelectStep<Row> | ClickStep<Row> | ExpectStep<Row>
  | ExtractStep<Row> | RejectIfStep<Row> | GuardStep<Row> | SubmitStep<Row>;

export type StepAction = Step<unknown>['action'];

export const STEP_ACTIONS: readonly StepAction[] = ['goto', 'fill', 'select', 'click', 'expect', 'extract', 'rejectIf', 'guard', 'submit'];

type Extra<S> = Omit<S, 'action' | 'target' | 'value' | 'application' | 'path'>;

/** Step constructors: a scenario's steps read like the procedure on screen. */
export const steps = {
  goto: <Row>(application: string, path: Value<Row>, extra: Common = {}): GotoStep<Row> => ({ action: 'goto', application, path, ...extra }),
  fill: <Row>(target: TargetOf<Row>, value: Value<Row>, extra: Common = {}): FillStep<Row> => ({ action: 'fill', target, value, ...extra }),
  select: <Row>(target: TargetOf<Row>, value: Value<Row>, extra: Common = {}): SelectStep<Row> => ({ action: 'select', target, value, ...extra }),
  click: <Row>(target: TargetOf<Row>, extra: Common = {}): ClickStep<Row> => ({ action: 'click', target, ...extra }),
  expect: <Row>(target: TargetOf<Row>, extra: Extra<ExpectStep<Row>> = {}): ExpectStep<Row> => ({ action: 'expect', target, ...extra }),
  extract: <Row>(target: TargetOf<Row>, as: string, extra: Omit<Extra<ExtractStep<Row>>, 'as'> = {}): ExtractStep<Row> => ({ action: 'extract', target, as, ...extra }),
  rejectIf: <Row>(when: TargetOf<Row>, extra: Omit<Extra<RejectIfStep<Row>>, 'when'> = {}): RejectIfStep<Row> => ({ action: 'rejectIf', when, ...extra }),
  guard: <Row>(found: TargetOf<Row>, reference: TargetOf<Row>, extra: Common = {}): GuardStep<Row> => ({ action: 'guard', found, reference, ...extra }),
  submit: <Row>(target: TargetOf<Row>, outcome: Pick<SubmitStep<Row>, 'success' | 'reference' | 'refusal'>, extra: Common = {}): SubmitStep<Row> =>
    ({ action: 'submit', target, ...outcome, ...extra }),
};
