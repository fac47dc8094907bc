import { ScreenIndex, type ElementRefOf, type OpenableScreenOf, type ParamRefOf, type PathParams, type PlainRefOf, type RefParams, type ScreenMap } from './screens.ts';
import type { Common, FlowStep, Step, StepContext, Value } from './steps.ts';
import type { Target } from './targets.ts';

/** Whether `T` is a union (a screen name the compiler could not pin down: a misspelt one, say). */
type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/**
 * How a step names an element: `screen.element` for a plain one, `['screen.element', { param: value }]`
 * for a parameterised one (a plain reference to it is a type error). `Raw` is what else is allowed:
 * direct targets for login steps, nothing for a scenario. When `R` is not one reference (a misspelt
 * one: the compiler falls back to all of them), every reference, so that the error lists them.
 * (The parameters' object is written out, not as a named type: messages then show its keys.)
 */
export type Ref<S, R, Row, V, Raw = never> = true extends IsUnion<R>
  ? PlainRefOf<S> | { [P in ParamRefOf<S>]: readonly [P, { readonly [Q in RefParams<S, P>]: Value<Row, V> }] }[ParamRefOf<S>] | Raw
  : (R & PlainRefOf<S>) | readonly [R & ParamRefOf<S>, { readonly [Q in RefParams<S, R>]: Value<Row, V> }] | Raw;

/** What `extract`'s `parse` makes of the text read. */
export type Parse = 'text' | 'cents' | 'date';
type Parsed<P> = P extends 'cents' ? number : string;

/**
 * `open`'s arguments after the screen: its path's parameters when it has some, then the options.
 * For a screen name that is not one literal (misspelt: the compiler falls back to every screen),
 * anything: the error is then on the name, where the mistake is, not on the arguments' count.
 */
type OpenArgs<S, K, Row, V> = true extends IsUnion<K>
  ? [params?: object, extra?: Common]
  : [PathParams<S, K>] extends [never]
    ? [extra?: Common]
    : [params: { readonly [P in PathParams<S, K>]: Value<Row, V> }, extra?: Common];

/** A branch of `when`: the steps it adds, written like the scenario's own. */
type Branch<Row, S, V, Raw> = (steps: Steps<Row, S, V, Raw>) => Steps<Row, S, any, Raw>;

/** The row in a `when`'s branches: narrowed by a condition that is a type predicate (inferred from `(row) => row.kind === 'A'`). */
type Narrowed<C, Row> = C extends (row: any, ...rest: any[]) => row is infer N ? (N extends Row ? N : Row) : Row;
type Otherwise<C, Row> = C extends (row: any, ...rest: any[]) => row is infer N ? Exclude<Row, N> : Row;

/** Flattens an intersection for readable hovers. */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** A shared sub-flow (see {@link defineFlow}), added to a chain with `.flow(...)`. */
export interface Flow<Row> {
  readonly step: FlowStep<Row>;
  /** Type only: the rows the flow's values accept. */
  readonly accepts?: (row: Row) => void;
}

// The builder's typed functions are stored as the runner reads them: (row, ctx) with ctx.vars untyped.
const data = <Row>(step: object): Step<Row> => step as Step<Row>;

/**
 * A scenario's steps, written as a chain that reads like the procedure on screen:
 * `(s) => s.open('fichePs', { numero: (row) => row.ps }).rejectIf('fichePs.erreur')...`.
 * Immutable: each call returns a new chain. Its types follow the scenario: `Row` is the parsed
 * input row, `S` its applications' screen maps (references are checked and completed), `V` the
 * values extracted by earlier steps (`ctx.vars`). Produces plain step data (`list`).
 */
export class Steps<Row, S, V, Raw = never> {
  /** The steps so far, as data. */
  readonly list: readonly Step<Row>[];
  readonly #screens: ScreenIndex;

  constructor(list: readonly Step<Row>[], screens: ScreenIndex) {
    this.list = list;
    this.#screens = screens;
  }

  #add<V2 = V>(step: object): Steps<Row, S, V2, Raw> {
    return new Steps<Row, S, V2, Raw>([...this.list, data<Row>(step)], this.#screens);
  }

  #branch<R>(build: Branch<R, S, V, Raw>): readonly Step<Row>[] {
    return build(new Steps<R, S, V, Raw>([], this.#screens)).list as readonly Step<Row>[];
  }

  /** Opens a screen by its path, `{placeholders}` filled from `params` (logs in first if needed). */
  open<K extends OpenableScreenOf<S>>(screen: K, ...args: OpenArgs<S, K, Row, V>): Steps<Row, S, V, Raw> {
    const found = this.#screens.screen(screen);
    const takesParams = typeof found !== 'string' && /\{\w+\}/.test(found.screen.path ?? '');
    const [params, extra] = (takesParams || args.length > 1 ? args : [undefined, args[0]]) as [object | undefined, Common | undefined];
    return this.#add({ action: 'open', screen, ...(params ? { params } : {}), ...extra });
  }

  /** Types a value into a text field. */
  fill<R extends ElementRefOf<S>>(target: Ref<S, R, Row, V, Raw>, value: Value<Row, V>, extra: Common = {}): Steps<Row, S, V, Raw> {
    return this.#add({ action: 'fill', target, value, ...extra });
  }

  /** Types a date given as ISO `yyyy-mm-dd`: as is in a date picker, as dd/mm/yyyy in a text field. */
  date<R extends ElementRefOf<S>>(target: Ref<S, R, Row, V, Raw>, isoValue: Value<Row, V>, extra: Common = {}): Steps<Row, S, V, Raw> {
    return this.#add({ action: 'date', target, value: isoValue, ...extra });
  }

  /** Chooses an option (by value, else by visible text) in a drop-down list. */
  select<R extends ElementRefOf<S>>(target: Ref<S, R, Row, V, Raw>, value: Value<Row, V>, extra: Common = {}): Steps<Row, S, V, Raw> {
    return this.#add({ action: 'select', target, value, ...extra });
  }

  /** Ticks (or unticks) a checkbox, or chooses a radio button. */
  check<R extends ElementRefOf<S>>(
    target: Ref<S, R, Row, V, Raw>,
    value: boolean | ((row: Row, ctx: StepContext<Row, V>) => boolean) = true,
    extra: Common = {},
  ): Steps<Row, S, V, Raw> {
    return this.#add({ action: 'check', target, value, ...extra });
  }

  /**
   * Clicks; then waits for the page to settle and, if given, for `waitFor`. A click that changes
   * the back office before the final submit is a `commit`: a dry run stops before it, a guard
   * must come before it.
   */
  click<R extends ElementRefOf<S>, W extends ElementRefOf<S>>(
    target: Ref<S, R, Row, V, Raw>,
    extra: Common & { waitFor?: Ref<S, W, Row, V, Raw>; commit?: boolean } = {},
  ): Steps<Row, S, V, Raw> {
    return this.#add({ action: 'click', target, ...extra });
  }

  /** Asserts that an element is visible (and, optionally, shows a text). */
  expect<R extends ElementRefOf<S>>(target: Ref<S, R, Row, V, Raw>, extra: Common & { text?: string | RegExp } = {}): Steps<Row, S, V, Raw> {
    return this.#add({ action: 'expect', target, ...extra });
  }

  /**
   * Reads an element's text into `ctx.vars[as]` for the next steps: a string, or with
   * `parse: 'cents'` a number of cents ("1 234,56 €" → 123456), with `'date'` an ISO date.
   * `pattern`'s first group, if given, is what is kept.
   */
  extract<R extends ElementRefOf<S>, const N extends string, P extends Parse = 'text'>(
    target: Ref<S, R, Row, V, Raw>,
    as: N,
    extra: Common & { parse?: P; pattern?: RegExp } = {},
  ): Steps<Row, S, Simplify<V & { readonly [K in N]: Parsed<P> }>, Raw> {
    return this.#add({ action: 'extract', target, as, ...extra });
  }

  /**
   * Runs `then` when the condition holds, else `otherwise` if given; options come last, with or
   * without `otherwise`. A condition on the row that narrows it (`(row) => row.nature === 'COVID'`)
   * narrows it in each branch; `{ visible: ref }` asks the screen.
   */
  // One signature, not overloads: a branch's parameter type is fixed by the first overload tried.
  when<C extends (row: Row, ctx: StepContext<Row, V>) => boolean, R extends ElementRefOf<S>>(
    condition: C | { visible: Ref<S, R, Row, V, Raw> },
    then: Branch<Narrowed<C, Row>, S, V, Raw>,
    ...rest: [otherwise?: Branch<Otherwise<C, Row>, S, V, Raw>, extra?: Common] | [extra: Common]
  ): Steps<Row, S, V, Raw>;
  when(condition: unknown, then: Branch<Row, S, V, Raw>, ...rest: unknown[]): Steps<Row, S, V, Raw> {
    const otherwise = typeof rest[0] === 'function' ? (rest[0] as Branch<Row, S, V, Raw>) : undefined;
    const extra = (typeof rest[0] === 'function' || rest[0] === undefined ? rest[1] : rest[0]) as Common | undefined;
    return this.#add({ action: 'when', if: condition, then: this.#branch(then), ...(otherwise ? { else: this.#branch(otherwise) } : {}), ...extra });
  }

  /** Adds a shared sub-flow (see {@link defineFlow}). */
  flow(flow: Flow<Row>): Steps<Row, S, V, Raw> {
    return this.#add(flow.step);
  }

  /**
   * When `when` is on screen, the back office refuses the dossier: it ends `rejected` with the
   * text of `reason` (`when` by default) as the reason.
   */
  rejectIf<R extends ElementRefOf<S>, W extends ElementRefOf<S>>(
    when: Ref<S, R, Row, V, Raw>,
    extra: Common & { reason?: Ref<S, W, Row, V, Raw> } = {},
  ): Steps<Row, S, V, Raw> {
    return this.#add({ action: 'rejectIf', when, ...extra });
  }

  /**
   * Exactly-once: when `found` is on screen the dossier was already entered; it ends `done` with
   * the reference read from `reference`, and nothing is entered again.
   */
  guard<R extends ElementRefOf<S>, W extends ElementRefOf<S>>(
    found: Ref<S, R, Row, V, Raw>,
    reference: Ref<S, W, Row, V, Raw>,
    extra: Common = {},
  ): Steps<Row, S, V, Raw> {
    return this.#add({ action: 'guard', found, reference, ...extra });
  }

  /**
   * The commit: clicks `target`, then waits for `success` (its text is the back office's
   * reference, unless `reference` says where else to read it) or `refusal` (the rejection's
   * reason). A dry run stops just before it.
   */
  submit<R extends ElementRefOf<S>, A extends ElementRefOf<S>, B extends ElementRefOf<S>, C extends ElementRefOf<S>>(
    target: Ref<S, R, Row, V, Raw>,
    outcome: { success: Ref<S, A, Row, V, Raw>; refusal: Ref<S, B, Row, V, Raw>; reference?: Ref<S, C, Row, V, Raw> },
    extra: Common = {},
  ): Steps<Row, S, V, Raw> {
    return this.#add({ action: 'submit', target, success: outcome.success, reference: outcome.reference ?? outcome.success, refusal: outcome.refusal, ...extra });
  }
}

/**
 * Declares a sub-flow reused by several scenarios, on one application's screens. Write it as a
 * function of what it needs, its return typed, so that each scenario's row is inferred:
 * `export const searchInsured = <Row>(nir: Value<Row, {}>): Flow<Row> => defineFlow('search insured', bdo, (s) => s.open(...)...)`,
 * used as `.flow(searchInsured((row) => row.insuredNir))`.
 */
export function defineFlow<Row, S extends ScreenMap>(
  name: string,
  application: { screens: S; id: string },
  build: (steps: Steps<Row, S, {}>) => Steps<Row, S, any>,
  extra: Common = {},
): Flow<Row> {
  return { step: { action: 'flow', name, steps: build(new Steps<Row, S, {}>([], new ScreenIndex([application]))).list, ...extra } };
}

/** A builder for direct-target steps (an application's login form). */
export type LoginSteps<Row> = Steps<Row, never, {}, Target>;
