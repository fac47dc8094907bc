import type { Page } from 'playwright';
import { BackOfficeUnavailable, BusinessRejection, ConfigError, OutcomeUnknown, OwnershipLost, SessionExpired, TechnicalFailure, where, type StepLocation } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import {
  childSteps, describeTarget, elementParams, TARGET_FIELDS,
  type ApplicationDefinition, type Condition, type ParamRef, type Scenario, type Step, type StepContext, type Target, type TargetOf,
} from '../scenarios/dsl/index.ts';
import { applyFields, batchFieldOf, type BatchField, type BatchResult } from './fill-batch.ts';
import { locate, resolveTarget, resolveValue } from './locate.ts';
import { clickableInPage, clickTarget } from './page-click.ts';
import { probeQueryOf, probeTargets, type Probe, type ProbeQuery } from './page-probe.ts';
import type { CommitGate } from './commit-gate.ts';
import type { ApplicationEndpoint } from './options.ts';
import type { DossierOutcome } from './outcome.ts';
import { withSingleShotPosts } from './single-shot.ts';
import type { Slot } from './slot.ts';
import { explainFailure, locationOf, normalized, performPageStep } from './step-actions.ts';

type Finished = Omit<Extract<DossierOutcome, { status: 'done' }>, 'robotMs'>;

/** One step as it ran, for `proweb try` and debug logs. */
export interface StepEvent {
  at: StepLocation;
  ms: number;
  outcome: 'ok' | 'failed';
  /** Playwright calls (round-trips to the browser) the step made, its login included. */
  roundTrips: number;
  /**
   * The step was applied with others in one round-trip, from step `first` on (`size` steps):
   * the batch's time is shared between them, its round-trips are counted on the first.
   */
  batch?: { first: string; size: number };
}

/** A form step planned into a batch. */
interface Planned<Row> {
  step: Step<Row>;
  number: string;
  field: BatchField;
  /** Names the step across dossiers, to remember one a page needs on its own. */
  key: string;
}

/** Everything a dossier run needs besides its row. */
export interface DossierEnv<Row extends Record<string, unknown>> {
  slot: Slot;
  scenario: Scenario<Row>;
  endpoints: Readonly<Record<string, ApplicationEndpoint>>;
  defaultTimeoutMs: number;
  logger?: Logger;
  /** Every step but the commit: the submit step only checks that its button is there. */
  dryRun?: boolean;
  onStep?: (event: StepEvent) => void;
  /** When given, every screen the dossier reaches has all its elements checked, once, into this map. */
  screenCheck?: Map<string, ScreenElementCheck[]>;
  /** Asked before every commit click; without it the robot clicks (a single robot, `proweb try`). */
  commitGate?: CommitGate;
  /** Aborted when the dossier is no longer this robot's (its queue lock was lost): stops at the next step. */
  signal?: AbortSignal;
}

/**
 * An earlier click holds this dossier's commit claim: the robot must not click. Thrown to the
 * robot, which starts the dossier again (its guard first) until the claim has settled.
 */
export class CommitHeld extends Error {
  override name = 'CommitHeld';
  constructor(
    readonly application: string,
    readonly settleInMs: number,
    readonly at: StepLocation,
  ) {
    super(`an earlier commit click of this dossier may still land for ${settleInMs} ms`);
  }
}

/** Whether one element of a screen map was found on its screen. */
export interface ScreenElementCheck {
  application: string;
  screen: string;
  element: string;
  description: string;
  optional: boolean;
  found: boolean;
}

/**
 * Runs a scenario's steps for one dossier on one slot. Returns the `done` outcome,
 * throws {@link BusinessRejection} when the back office refuses, and a technical
 * failure for anything else.
 */
export async function runDossierSteps<Row extends Record<string, unknown>>(env: DossierEnv<Row>, row: Row): Promise<Finished> {
  const page = await env.slot.page();
  const run = new DossierRun(env, page);
  const finished = await run.steps(env.scenario.steps, { row, vars: {} }, '');
  if (finished) return finished;
  throw new ConfigError(`scenario ${env.scenario.id} ended without a submit or guard giving a reference`, 'End the scenario with a submit step.');
}

const namedWithValues = new WeakMap<readonly Step<unknown>[], Map<string, ParamRef<unknown>>>();

/** Every parameterised element a scenario's steps name, with the values they give it (the first naming wins). */
function parameterisedRefs<Row>(list: readonly Step<Row>[]): Map<string, ParamRef<Row>> {
  const known = namedWithValues.get(list as readonly Step<unknown>[]);
  if (known) return known as Map<string, ParamRef<Row>>;
  const refs = new Map<string, ParamRef<Row>>();
  const visit = (steps: readonly Step<Row>[]) => {
    for (const step of steps) {
      const fields = TARGET_FIELDS[step.action].map((f) => (step as unknown as Record<string, unknown>)[f]);
      if (step.action === 'when' && typeof step.if !== 'function') fields.push(step.if.visible);
      for (const target of fields) {
        if (Array.isArray(target) && !refs.has(target[0] as string)) refs.set(target[0] as string, target as unknown as ParamRef<Row>);
      }
      for (const child of childSteps(step)) visit(child.steps);
    }
  };
  visit(list);
  namedWithValues.set(list as readonly Step<unknown>[], refs as Map<string, ParamRef<unknown>>);
  return refs;
}

/** An error's own words, without the location it starts with when it names this step (the wrapper names it again). */
function describe(error: Error, at: StepLocation): string {
  const prefix = `${where(at)}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : (error.message.split('\n')[0] ?? error.message);
}

class DossierRun<Row extends Record<string, unknown>> {
  private application: ApplicationDefinition | undefined;
  /**
   * The look steps (`rejectIf`, `guard`) right after a navigation ask their targets with the
   * landing check, in one round-trip: their answers wait here, by query, until a step acts.
   */
  private upcoming: ProbeQuery[] = [];
  private ahead = new Map<string, Probe>();

  constructor(
    private readonly env: DossierEnv<Row>,
    private readonly page: Page,
  ) {}

  private get scenario() {
    return this.env.scenario;
  }

  private target(target: TargetOf<Row>, ctx: StepContext<Row>, at: StepLocation) {
    return locate(this.page, resolveTarget(target, ctx, this.scenario.screens, at).target);
  }

  private async textOf(target: TargetOf<Row>, ctx: StepContext<Row>, at: StepLocation, timeoutMs: number, probed?: Probe): Promise<string> {
    // Read already, in the page's own world: no need to wait for it.
    if (probed && probed.count > 0) return normalized(probed.text);
    return normalized(await this.target(target, ctx, at).first().textContent({ timeout: timeoutMs }));
  }

  private async isShown(target: TargetOf<Row>, ctx: StepContext<Row>, at: StepLocation, probed?: Probe): Promise<boolean> {
    if (probed) return probed.visible;
    return this.target(target, ctx, at).first().isVisible();
  }

  /**
   * Reads targets in one round-trip in the page's own world where it can (see {@link probeTargets}):
   * each answer, or undefined for a target only a locator finds exactly.
   */
  private async probe(targets: readonly TargetOf<Row>[], ctx: StepContext<Row>, at: StepLocation): Promise<(Probe | undefined)[]> {
    const queries = targets.map((t) => probeQueryOf(resolveTarget(t, ctx, this.scenario.screens, at).target));
    const known = queries.map((q) => (q ? this.ahead.get(JSON.stringify(q)) : undefined));
    if (queries.every((q, i) => !q || known[i])) return known;
    // A document replaced under the probe, say: the locators, which wait across navigations, will tell.
    return probeTargets(this.page, queries).catch(() => queries.map(() => undefined));
  }

  private async holds(condition: Condition<Row>, ctx: StepContext<Row>, at: StepLocation): Promise<boolean> {
    return typeof condition === 'function' ? condition(ctx.row, ctx) : this.isShown(condition.visible, ctx, at);
  }

  /**
   * Runs a list of steps; resolves with the outcome when one ends the dossier (guard, submit).
   * Consecutive form steps are applied together in one round-trip (see {@link runBatch}); a lone
   * one too, which spares it Playwright's actionability waits.
   */
  async steps(list: readonly Step<Row>[], ctx: StepContext<Row>, prefix: string): Promise<Finished | undefined> {
    for (let index = 0; index < list.length; ) {
      const batch = this.batchAt(list, index, ctx, prefix);
      if (batch.length >= 1) {
        await this.runBatch(batch, ctx);
        index += batch.length;
        continue;
      }
      const step = list[index]!;
      if (step.action !== 'rejectIf' && step.action !== 'guard') this.ahead.clear();
      if (step.action === 'open') this.upcoming = this.looksAfter(list, index, ctx);
      const finished = await this.runStep(step, ctx, `${prefix}${index + 1}`);
      if (finished) return finished;
      index++;
    }
    return undefined;
  }

  /** What the `rejectIf` and `guard` steps right after step `index` will look for, as the page can find it. */
  private looksAfter(list: readonly Step<Row>[], index: number, ctx: StepContext<Row>): ProbeQuery[] {
    const queries: ProbeQuery[] = [];
    for (const step of list.slice(index + 1)) {
      const targets = step.action === 'rejectIf' ? [step.when, step.reason ?? step.when] : step.action === 'guard' ? [step.found, step.reference] : undefined;
      if (!targets) break;
      try {
        for (const target of targets) {
          const query = probeQueryOf(resolveTarget(target, ctx, this.scenario.screens).target);
          if (query) queries.push(query);
        }
      } catch {
        break; // a parameter's value that fails: its own step will say so
      }
    }
    return queries;
  }

  /**
   * The form steps from `index` on that can be applied in one batch: `fill`, `date`, `select`,
   * `check` on fields the page can find itself, none `typed`. None in a screen check, which
   * looks at each step's screen before the step.
   */
  private batchAt(list: readonly Step<Row>[], index: number, ctx: StepContext<Row>, prefix: string): Planned<Row>[] {
    const planned: Planned<Row>[] = [];
    if (this.env.screenCheck) return planned;
    for (let i = index; i < list.length; i++) {
      const step = list[i]!;
      const number = `${prefix}${i + 1}`;
      const key = `${this.scenario.id}@${this.scenario.version}#${number}`;
      const field = this.env.slot.unbatched.has(key) ? undefined : batchFieldOf(step, ctx, this.scenario.screens);
      if (!field) break;
      planned.push({ step, number, field, key });
    }
    return planned;
  }

  /**
   * Applies form steps in one `evaluate` (see {@link applyFields}) instead of one Playwright call
   * each. What the batch cannot do exactly as the steps would (a field not found as its locator
   * finds it, not shown yet, a page script that rewrote a value) is done step by step, as
   * without batching: same waits, same messages naming the step and the element. Each step
   * still reports its own event.
   */
  private async runBatch(batch: readonly Planned<Row>[], ctx: StepContext<Row>): Promise<void> {
    const first = batch[0]!;
    if (this.env.signal?.aborted) throw new OwnershipLost(`stopped before ${this.scenario.id} step ${first.number}: ${String(this.env.signal.reason ?? 'lock lost')}`);
    this.ahead.clear();
    const started = performance.now();
    const trips = this.env.slot.roundTrips.count;
    let result: BatchResult;
    try {
      result = await applyFields(this.page, batch.map((b) => b.field));
    } catch (error) {
      // The page went away under the batch (a navigation): the steps on their own will say what is wrong.
      this.env.logger?.debug({ step: first.number, err: error }, 'batch of form steps failed; running them one by one');
      result = { applied: 0, rewritten: -1 };
    }
    let applied = result.applied;
    if (result.rewritten >= 0) {
      // Values set at once were not all kept: the page needs these fields filled as a step does.
      const rewritten = batch[result.rewritten]!;
      this.env.slot.unbatched.add(rewritten.key);
      this.env.logger?.debug({ step: rewritten.number }, 'a page script rewrote a field set in a batch; its steps run one by one');
      applied = 0;
    }
    const ms = performance.now() - started;
    const roundTrips = this.env.slot.roundTrips.count - trips;
    for (const [i, planned] of batch.slice(0, applied).entries()) {
      const at = locationOf(this.scenario.id, planned.number, planned.step, ctx, this.scenario.screens);
      const share = Math.round(ms / applied);
      this.env.onStep?.({ at, ms: share, outcome: 'ok', roundTrips: i === 0 ? roundTrips : 0, ...(applied > 1 ? { batch: { first: first.number, size: applied } } : {}) });
      this.env.logger?.debug({ step: planned.number, action: at.step, ms: share, batch: first.number }, 'step');
    }
    for (const planned of batch.slice(applied)) await this.runStep(planned.step, ctx, planned.number);
  }

  /** Runs one step on its own, reporting it. */
  private async runStep(step: Step<Row>, ctx: StepContext<Row>, number: string): Promise<Finished | undefined> {
    const at = locationOf(this.scenario.id, number, step, ctx, this.scenario.screens);
    if (this.env.signal?.aborted) throw new OwnershipLost(`stopped before ${this.scenario.id} step ${number}: ${String(this.env.signal.reason ?? 'lock lost')}`);
    const trips = this.env.slot.roundTrips.count;
    await this.checkScreenOf(step, ctx);
    const timeoutMs = step.timeoutMs ?? this.scenario.timeoutMs ?? this.env.defaultTimeoutMs;
    const started = performance.now();
    let outcome: StepEvent['outcome'] = 'failed';
    try {
      const finished = await this.step(step, ctx, number, at, timeoutMs);
      outcome = 'ok';
      return finished;
    } catch (error) {
      throw explainFailure(error, at, timeoutMs);
    } finally {
      const ms = Math.round(performance.now() - started);
      // Control steps report their children; only leaves are worth a line.
      if (!['when', 'flow'].includes(step.action)) {
        this.env.onStep?.({ at, ms, outcome, roundTrips: this.env.slot.roundTrips.count - trips });
        this.env.logger?.debug({ step: number, action: at.step, ms }, 'step');
      }
    }
  }

  private async step(step: Step<Row>, ctx: StepContext<Row>, number: string, at: StepLocation, timeoutMs: number): Promise<Finished | undefined> {
    const { page } = this;
    switch (step.action) {
      case 'open': {
        const found = this.scenario.screens.screen(step.screen);
        if (typeof found === 'string' || found.screen.path === undefined) throw new ConfigError(`step ${number}: screen ${step.screen} cannot be opened`);
        const path = found.screen.path.replace(/\{(\w+)\}/g, (_, name: string) => {
          const value = step.params?.[name];
          return encodeURIComponent(value === undefined ? '' : resolveValue(value, ctx));
        });
        await this.navigate(found.application, path, at, timeoutMs);
        await this.checkScreen(found.name, ctx);
        return undefined;
      }
      case 'rejectIf': {
        const reason = step.reason ?? step.when;
        const [when, said] = await this.probe([step.when, reason], ctx, at);
        if (await this.isShown(step.when, ctx, at, when)) throw new BusinessRejection(await this.textOf(reason, ctx, at, timeoutMs, said), at);
        return undefined;
      }
      case 'guard': {
        const [found, reference] = await this.probe([step.found, step.reference], ctx, at);
        if (await this.isShown(step.found, ctx, at, found)) return { status: 'done', reference: await this.textOf(step.reference, ctx, at, timeoutMs, reference), alreadyEntered: true };
        return undefined;
      }
      case 'submit': {
        const buttonTarget = resolveTarget(step.target, ctx, this.scenario.screens, at).target;
        const button = locate(page, buttonTarget);
        if (this.env.dryRun) {
          await button.first().waitFor({ state: 'visible', timeout: timeoutMs });
          return { status: 'done', reference: '(dry run)', alreadyEntered: false, dryRun: true };
        }
        // With a claim to take, the button must be there first (asked where the click will be made);
        // without one, the click itself finds it or waits for it.
        if (this.env.commitGate && !(await clickableInPage(page, button.first(), timeoutMs, buttonTarget))) await button.first().waitFor({ state: 'visible', timeout: timeoutMs });
        return this.commit(number, at, timeoutMs, () => clickTarget(page, button.first(), buttonTarget, timeoutMs), async () => {
          // The answer is read from the document: its images and styles are not waited for.
          await page.waitForLoadState('domcontentloaded', { timeout: timeoutMs });
          this.checkConnection(at);
          // Most answers are read in one round-trip in the page's own world; anything unclear, the long way.
          const { application } = this;
          const [shown, refused, reference, login] = await this.probe([step.success, step.refusal, step.reference, ...(application ? [application.loginPage] : [])], ctx, at);
          if (application && login?.visible) this.sessionExpired(application.id, at);
          if (shown && refused && reference && (login || !application)) {
            if (shown.visible && reference.count > 0) return { status: 'done', reference: normalized(reference.text), alreadyEntered: false };
            if (!shown.visible && refused.visible) throw new BusinessRejection(normalized(refused.text), at);
          }
          await this.checkLanding(at);
          const success = this.target(step.success, ctx, at);
          await success.or(this.target(step.refusal, ctx, at)).first().waitFor({ state: 'visible', timeout: timeoutMs });
          if (await success.first().isVisible()) return { status: 'done', reference: await this.textOf(step.reference, ctx, at, timeoutMs), alreadyEntered: false };
          // Only the application's declared refusal element is a business rejection.
          throw new BusinessRejection(await this.textOf(step.refusal, ctx, at, timeoutMs), at);
        });
      }
      case 'when': {
        const branch = (await this.holds(step.if, ctx, at)) ? { label: 'then', list: step.then } : step.else ? { label: 'else', list: step.else } : undefined;
        return branch ? this.steps(branch.list, ctx, `${number}.${step.else ? `${branch.label}.` : ''}`) : undefined;
      }
      case 'flow':
        return this.steps(step.steps, ctx, `${number}.`);
      default: {
        if (step.action === 'click' && step.commit) {
          await this.target(step.target, ctx, at).first().waitFor({ state: 'visible', timeout: timeoutMs });
          if (this.env.dryRun) return { status: 'done', reference: '(dry run)', alreadyEntered: false, dryRun: true };
          return this.commit(number, at, timeoutMs, () => performPageStep(page, step, ctx, this.scenario.screens, at, timeoutMs), async () => {
            await this.checkLanding(at);
            return undefined;
          });
        }
        const result = await performPageStep(page, step, ctx, this.scenario.screens, at, timeoutMs);
        if (result) (ctx.vars as Record<string, string | number>)[result.variable.name] = result.variable.value;
        if (step.action === 'click') await this.checkLanding(at);
        return undefined;
      }
    }
  }

  /**
   * A commit: takes the dossier's commit claim, clicks, then reads the answer. Once the click
   * may have been sent, anything but a confirmation or the declared refusal (a lost connection,
   * an HTTP 5xx, a timeout, a reused form token, the login page) is "outcome unknown": a
   * technical failure whose next attempt's guard decides, never a rejection.
   */
  private async commit<T>(number: string, at: StepLocation, timeoutMs: number, click: () => Promise<unknown>, answer: () => Promise<T>): Promise<T> {
    const gate = this.env.commitGate;
    if (gate) {
      if (this.env.signal?.aborted) throw new OwnershipLost(`stopped before the commit of ${this.scenario.id} step ${number}`);
      const claim = await gate.claim({ step: number, timeoutMs });
      if (!claim.granted) {
        if (claim.reason === 'lost') throw new OwnershipLost(claim.detail);
        throw new CommitHeld(this.application?.id ?? 'the application', claim.settleInMs, at);
      }
      // The process may have been frozen since the claim was granted: too late to click safely.
      if (performance.now() > claim.clickBy) {
        await gate.release(number);
        throw new TechnicalFailure(`${this.scenario.id} step ${number}: not clicked, the commit claim was granted too long ago (was this process paused?)`, 'The dossier is retried.');
      }
    }
    return withSingleShotPosts(this.page, timeoutMs, async (wire) => {
      const unknown = async (error: unknown) => {
        const detail = describe(explainFailure(error, at, timeoutMs), at);
        // Nothing left the page (the button did not respond, the browser was closed first):
        // nothing can have been committed, so the claim goes back and a retry may click.
        if (!wire.sent) {
          await gate?.release(number);
          return new TechnicalFailure(`${this.scenario.id} step ${number}: nothing was sent to the application: ${detail}`, 'The dossier is retried.', { cause: error });
        }
        return new OutcomeUnknown(this.application?.id ?? 'the application', at, detail, { cause: error });
      };
      try {
        await click();
      } catch (error) {
        throw await unknown(error);
      }
      try {
        return await answer();
      } catch (error) {
        // A refusal is a known outcome: nothing was entered, so the claim goes back and a
        // corrected or resubmitted dossier may commit again without waiting for it.
        if (error instanceof BusinessRejection) await gate?.release(number);
        if (error instanceof BusinessRejection || error instanceof OwnershipLost) throw error;
        throw await unknown(error);
      }
    });
  }

  /** Before a step acts on a screen-map element, checks that element's whole screen (in check mode). */
  private async checkScreenOf(step: Step<Row>, ctx: StepContext<Row>): Promise<void> {
    if (!this.env.screenCheck || step.action === 'open') return;
    const target = 'target' in step ? step.target : step.action === 'rejectIf' ? step.when : undefined;
    const ref = typeof target === 'string' ? target : Array.isArray(target) ? (target[0] as string) : undefined;
    if (ref === undefined) return;
    const element = this.scenario.screens.element(ref);
    if (typeof element !== 'string') await this.checkScreen(element.ref.split('.')[0]!, ctx);
  }

  /**
   * Looks for every element of a screen on the current page, once per screen. A parameterised
   * element is looked for with the values the scenario's steps give it, for this dossier; one
   * the scenario never names (another scenario's) has no values here and is left out.
   */
  private async checkScreen(name: string, ctx: StepContext<Row>): Promise<void> {
    const checks = this.env.screenCheck;
    const found = this.scenario.screens.screen(name);
    if (!checks || checks.has(name) || typeof found === 'string') return;
    const results: ScreenElementCheck[] = [];
    for (const [element, declared] of Object.entries(found.screen.elements)) {
      let target: Target = declared;
      if (elementParams(declared).length > 0) {
        const named = parameterisedRefs(this.scenario.steps).get(`${name}.${element}`);
        if (!named) continue;
        try {
          target = resolveTarget(named, ctx, this.scenario.screens).target;
        } catch {
          continue; // a value this dossier cannot give yet: its own step will say so
        }
      }
      results.push({
        application: found.application, screen: name, element, description: describeTarget(declared), optional: declared.optional === true,
        found: (await locate(this.page, target).count()) > 0,
      });
    }
    checks.set(name, results);
  }

  /** Opens a page of an application, logging in first, and again if the session expired meanwhile. */
  private async navigate(applicationId: string, path: string, at: StepLocation, timeoutMs: number): Promise<void> {
    const app = this.scenario.applications.find((a) => a.id === applicationId);
    const endpoint = this.env.endpoints[applicationId];
    if (!app || !endpoint) {
      throw new ConfigError(`no endpoint configured for application "${applicationId}"`, 'Add its baseUrl, username and password to the configuration.');
    }
    const { slot } = this.env;
    if (!slot.isLoggedIn(app.id)) await slot.login(app, endpoint, timeoutMs);
    this.application = app;
    const url = endpoint.baseUrl + path;
    // What the next steps need is the document (they wait for their own elements), not its images and styles.
    await this.page.goto(url, { timeout: timeoutMs, waitUntil: 'domcontentloaded' });
    try {
      await this.checkLanding(at);
    } catch (error) {
      if (!(error instanceof SessionExpired)) throw error;
      // The session timed out between two dossiers: the usual case, not a failure.
      await slot.login(app, endpoint, timeoutMs);
      await this.page.goto(url, { timeout: timeoutMs, waitUntil: 'domcontentloaded' });
      await this.checkLanding(at);
    }
  }

  /**
   * After a navigation: did the application fail, drop the connection or send us back to its
   * login page? One round-trip: the URL and the document's HTTP status are already known to the
   * client (the slot reads the status from the response), only the login page is asked.
   */
  private async checkLanding(at: StepLocation): Promise<void> {
    const { page, application } = this;
    this.checkConnection(at);
    if (!application) return;
    const upcoming = this.upcoming;
    this.upcoming = [];
    const [probed, ...ahead] = await probeTargets(page, [probeQueryOf(application.loginPage), ...upcoming]).catch(() => [undefined]);
    const login = probed ? probed.visible : await locate(page, application.loginPage).first().isVisible();
    if (login) this.sessionExpired(application.id, at);
    this.ahead.clear();
    upcoming.forEach((query, i) => {
      const answer = ahead[i];
      if (answer) this.ahead.set(JSON.stringify(query), answer);
    });
  }

  /** Did the application fail or drop the connection? Known to the client already: no round-trip. */
  private checkConnection(at: StepLocation): void {
    const { slot } = this.env;
    if (this.page.url().startsWith('chrome-error://')) throw new BackOfficeUnavailable(at, 'the connection to the application was lost');
    if (slot.lastDocumentStatus >= 500) throw new BackOfficeUnavailable(at, `the application answered HTTP ${slot.lastDocumentStatus}`);
  }

  /** The application shows its login page: the session is gone. */
  private sessionExpired(applicationId: string, at: StepLocation): never {
    this.env.slot.forgetLogin(applicationId);
    throw new SessionExpired(applicationId, at);
  }
}
