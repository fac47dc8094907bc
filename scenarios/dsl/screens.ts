import { ScenarioDefinitionError } from '../../core/errors.ts';
import { elementParams, unquotedCssPlaceholders, type ElementParams, type Placeholders } from './params.ts';
import { describeTarget, type Target } from './targets.ts';
import { checkTarget } from './validate-target.ts';

/**
 * An element of a screen map. `optional` elements only show in some cases (an
 * error message, a table row): `check-screens` does not expect them on every visit.
 * `personal` elements show personal data (a name, a NIR, an IBAN, an address, a
 * record, a table of people, a message quoting them): they are masked in the
 * screenshots and page HTML a failure keeps as evidence. `typed` fields take real
 * keystrokes, one key at a time (an input mask, an autocomplete): a value set at once,
 * as other fields are filled, would not be seen by the page's own script. `pointer` buttons
 * and links get a real mouse click: their page listens to the pointer itself.
 */
export type ScreenElement = Target & { optional?: boolean; personal?: boolean; typed?: boolean; keyboard?: boolean; pointer?: boolean };

/**
 * One screen of an application, described once and shared by every scenario that
 * uses it: when the screen changes, it is fixed here for all of them.
 */
export interface ScreenDefinition {
  /** Path from the application's base URL; `{name}` placeholders are filled by `open`'s parameters. */
  path?: string;
  /** Fields, buttons, links, messages: found by label or role before CSS. */
  elements: Record<string, ScreenElement>;
}

/** A screen map element once loaded: it knows where it belongs and its parameters, for messages and checks. */
export type ResolvedElement = ScreenElement & { ref: string; application: string; params: readonly string[] };

/** The screens of one application, by name. */
export type ScreenMap = Readonly<Record<string, ScreenDefinition>>;

/** A reference to a screen element, `screen.element`, e.g. `paiement.montant`. */
export type ElementRef = `${string}.${string}`;

type Names<T> = keyof T & string;
type ElementsOf<S, K extends keyof S> = S[K] extends { elements: infer E } ? E : never;

/**
 * Every element reference of a screen map (or of a union of them: a scenario's applications),
 * `screen.element`: what editors complete and the compiler checks.
 */
export type ElementRefOf<S> = S extends ScreenMap ? { [K in Names<S>]: `${K}.${Names<ElementsOf<S, K>>}` }[Names<S>] : never;

/** The element a reference names, in a screen map or a union of them. */
export type ElementAt<S, R> = S extends ScreenMap
  ? R extends `${infer K}.${infer E}` ? K extends Names<S> ? E extends Names<ElementsOf<S, K>> ? ElementsOf<S, K>[E] : never : never : never
  : never;

/** The parameters of the element a reference names (never for a plain element). */
export type RefParams<S, R> = ElementParams<ElementAt<S, R>>;

/** References to plain elements: named alone. */
export type PlainRefOf<S> = S extends ScreenMap
  ? { [K in Names<S>]: { [E in Names<ElementsOf<S, K>>]: [ElementParams<ElementsOf<S, K>[E]>] extends [never] ? `${K}.${E}` : never }[Names<ElementsOf<S, K>>] }[Names<S>]
  : never;

/** References to parameterised elements: named with their parameters' values. */
export type ParamRefOf<S> = Exclude<ElementRefOf<S>, PlainRefOf<S>>;

/** Screens that have a path, which `open` can reach. */
export type OpenableScreenOf<S> = S extends ScreenMap ? { [K in Names<S>]: S[K] extends { path: string } ? K : never }[Names<S>] : never;

/** The `{placeholders}` of a screen's path: `open`'s parameters. */
export type PathParams<S, K> = S extends ScreenMap ? K extends Names<S> ? S[K] extends { path: infer P } ? Placeholders<P> : never : never : never;

/** Marks an element as shown only in some cases. */
export const optional = <T extends Target>(target: T): T & { optional: true } => ({ ...target, optional: true });

/**
 * Marks an element as showing personal data, masked in kept evidence; combines with
 * {@link optional}: `optional(personal(css('#fiche-assure')))`. Mark the smallest
 * element that holds the data and every one that does: an unmarked field is kept as it shows.
 */
export const personal = <T extends Target>(target: T): T & { personal: true } => ({ ...target, personal: true });

/**
 * Marks a field that must be typed key by key, as a person does: a legacy input mask that
 * builds its value from the keys pressed, an autocomplete that suggests as one types.
 * Slower than a fill: mark only the fields whose page needs it.
 */
export const typed = <T extends Target>(target: T): T & { typed: true } => ({ ...target, typed: true });

/**
 * Marks a `typed` field whose page accepts only keys from a real keyboard (it checks
 * `event.isTrusted`): typed through Playwright's keyboard, some 4 ms a key. Other typed fields get
 * the same key events from inside the page, in one round-trip.
 */
export const keyboard = <T extends Target>(target: T): T & { typed: true; keyboard: true } => ({ ...target, typed: true, keyboard: true });

/**
 * Marks a button or link that must get a real mouse click, as a person gives it: a page whose
 * script listens to `mousedown`, `pointerdown` or `pointerup` rather than to `click`. Others are
 * clicked from inside the page once checked shown, enabled and on top, which runs the same
 * handlers faster. Slower: mark only the elements whose page needs it.
 */
export const pointer = <T extends Target>(target: T): T & { pointer: true } => ({ ...target, pointer: true });

/** Why an element's flags are malformed (`personal: 'yes'`), or undefined. */
function checkFlags(element: ScreenElement): string | undefined {
  for (const flag of ['optional', 'personal', 'typed', 'keyboard', 'pointer'] as const) {
    if (element[flag] !== undefined && typeof element[flag] !== 'boolean') return `${flag} must be true or false`;
  }
  return undefined;
}

/**
 * Why a parameterised element is malformed, or undefined. One cannot be `personal`: evidence masks
 * personal elements on any page, without a dossier's values; mark the element that contains it.
 * A CSS selector's placeholder must stand in a quoted attribute value (see {@link unquotedCssPlaceholders}).
 */
function checkParams(element: ScreenElement): string | undefined {
  if (elementParams(element).length === 0) return undefined;
  if (element.personal) return 'a parameterised element cannot be personal: mark personal the element that contains it (the table, the record)';
  if (element.by !== 'css') return undefined;
  const unquoted = unquotedCssPlaceholders(element.css);
  if (unquoted.length > 0) {
    const list = unquoted.map((p) => `{${p}}`).join(', ');
    return `css ${element.css}: ${list} must stand inside a quoted attribute value, as in [data-x="{${unquoted[0]}}"] or, for an id, [id="prefix-{${unquoted[0]}}"], ` +
      "so that a dossier's value is filled as a CSS string the scrubber can mask in an error, never escaped as an identifier";
  }
  return undefined;
}

/** Checks a screen map when its application is defined. */
export function validateScreens(owner: string, screens: ScreenMap): void {
  for (const [name, screen] of Object.entries(screens)) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(name)) throw new ScreenDefinitionProblem(owner, `screen "${name}": names are camelCase identifiers`);
    if (screen.path !== undefined && !screen.path.startsWith('/')) throw new ScreenDefinitionProblem(owner, `screen ${name}: path must start with /`);
    for (const [element, target] of Object.entries(screen.elements ?? {})) {
      const problem = checkTarget(target) ?? checkFlags(target) ?? checkParams(target);
      if (problem) throw new ScreenDefinitionProblem(owner, `screen ${name}, element ${element}: ${problem}`);
    }
  }
}

class ScreenDefinitionProblem extends ScenarioDefinitionError {}

/**
 * Every screen a scenario can reach through its applications. Screen names must be
 * unique across them; `app:screen.element` disambiguates otherwise.
 */
export class ScreenIndex {
  private readonly screens = new Map<string, { application: string; name: string; screen: ScreenDefinition }[]>();

  constructor(applications: readonly { id: string; screens?: ScreenMap }[]) {
    for (const app of applications) {
      for (const [name, screen] of Object.entries(app.screens ?? {})) {
        const list = this.screens.get(name) ?? [];
        list.push({ application: app.id, name, screen });
        this.screens.set(name, list);
      }
    }
  }

  /** The screen named `name` (or `app:name`), or why there is none. */
  screen(name: string): { application: string; name: string; screen: ScreenDefinition } | string {
    const [appPart, screenPart] = name.includes(':') ? (name.split(':', 2) as [string, string]) : [undefined, name];
    const candidates = (this.screens.get(screenPart) ?? []).filter((s) => appPart === undefined || s.application === appPart);
    if (candidates.length === 1) return candidates[0]!;
    if (candidates.length > 1) return `screen "${screenPart}" exists in ${candidates.map((c) => c.application).join(' and ')}: write application:${screenPart}`;
    return `unknown screen "${name}"; known screens: ${[...this.screens.keys()].sort().join(', ') || '(none)'}`;
  }

  /** Resolves `screen.element`; returns the reason when it does not exist. */
  element(ref: string): ResolvedElement | string {
    const dot = ref.lastIndexOf('.');
    if (dot <= 0) return `"${ref}" is not a screen element reference (screen.element)`;
    const found = this.screen(ref.slice(0, dot));
    if (typeof found === 'string') return found;
    const name = ref.slice(dot + 1);
    const target = found.screen.elements[name];
    if (!target) return `unknown screen field "${ref}"; ${found.name} has: ${Object.keys(found.screen.elements).join(', ')}`;
    return { ...target, ref: `${found.name}.${name}`, application: found.application, params: elementParams(target) };
  }

  /** All screens, for check-screens. */
  all(): { application: string; name: string; screen: ScreenDefinition }[] {
    return [...this.screens.values()].flat();
  }

  /** Every element marked {@link personal} on these screens: what evidence masks. */
  personalElements(): ResolvedElement[] {
    return this.all().flatMap(({ application, name, screen }) =>
      Object.entries(screen.elements).filter(([, target]) => target.personal === true).map(([element, target]) => ({ ...target, ref: `${name}.${element}`, application, params: [] })));
  }
}

/** `paiement.montant [label "Montant (€)"]`; a parameterised element with its placeholders, never a dossier's values. */
export function describeElement(element: ResolvedElement): string {
  return `${element.ref} [${describeTarget(element)}]`;
}
