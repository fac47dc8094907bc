import type { Browser } from 'playwright';
import { BusinessRejection, ManualCheckNeeded, OwnershipLost, ProwebError, SessionExpired, TechnicalFailure } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { Scrubber } from '../core/personal-data.ts';
import type { Scenario } from '../scenarios/dsl/index.ts';
import { launchBrowser } from './browser.ts';
import type { CommitGate } from './commit-gate.ts';
import { CommitHeld, runDossierSteps, type ScreenElementCheck, type StepEvent } from './dossier.ts';
import { keepEvidence } from './evidence.ts';
import { robotOptionsSchema, type RobotOptions, type RobotOptionsInput } from './options.ts';
import type { DossierOutcome } from './outcome.ts';
import { LoginGate, type LoginRefusal } from './login-gate.ts';
import { Slot } from './slot.ts';

/** What `checkScreens` found. */
export interface ScreenReport {
  checked: ScreenElementCheck[];
  notVisited: { application: string; screen: string }[];
  outcome?: DossierOutcome;
  /** The dry run stopped on this error (the screens before it were still checked). */
  failure?: Error;
}

/** How one dossier is run. */
export interface RunOptions {
  /** Names the dossier in logs and evidence files (never its personal data). */
  dossierId: string;
  /** Every step but the commit. */
  dryRun?: boolean;
  /** Called as each step ends (`proweb try` prints them). */
  onStep?: (event: StepEvent) => void;
  /**
   * Keep a Playwright trace of the dossier there (open it with `npx playwright show-trace`);
   * off unless given. Logins are left out of it (never the password), but it holds every
   * page the dossier showed: personal data, to keep on the machine and delete after use.
   * A login in the middle of the dossier splits it: `path`, then `path-2.zip`...
   */
  tracePath?: string;
  /** Told the trace files written, once the dossier ended. */
  onTrace?: (files: string[]) => void;
  /** Check every element of every screen reached (see {@link Robot.checkScreens}). */
  screenCheck?: Map<string, ScreenElementCheck[]>;
  /**
   * Asked before every commit click (see {@link CommitGate}): how a fleet makes sure one
   * dossier is committed once, whatever the machine. Without it the robot just clicks.
   */
  commitGate?: CommitGate;
  /** Aborted when the dossier is no longer this robot's: it stops at the next step, before any click. */
  signal?: AbortSignal;
}

/** How many times a dossier restarts at once when its session expired mid-way. */
const SESSION_RESTARTS = 2;

/** While an earlier commit click may still land, the guard looks again this often. */
const SETTLE_POLL_MS = 1_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A robot: one browser and `concurrency` slots, each a logged-in context that
 * processes one dossier at a time. It knows nothing of queues: give it a scenario
 * and a row, it returns how the dossier ended or throws a technical failure.
 */
export class Robot {
  private readonly free: Slot[];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private closing: Promise<void> | undefined;
  /** Shared by the slots: one login at a time per application, and the applications that refused the account. */
  private readonly logins = new LoginGate();

  private constructor(
    private readonly browser: Browser,
    private readonly ownsBrowser: boolean,
    readonly options: RobotOptions,
    private readonly logger: Logger,
  ) {
    this.free = Array.from({ length: options.concurrency }, (_, i) => new Slot(i, browser, logger, this.logins));
  }

  /** Starts the browser (found as `findBrowser` says) unless one is given. */
  static async launch(input: RobotOptionsInput & { logger?: Logger; browser?: Browser }): Promise<Robot> {
    const { logger = silentLogger, browser, ...rest } = input;
    const options = robotOptionsSchema.parse(rest);
    const log = logger.child({ module: 'robot' });
    if (browser) return new Robot(browser, false, options, log);
    const launched = await launchBrowser({ headed: options.headed });
    log.info({ browser: launched.choice.source, executablePath: launched.choice.executablePath }, 'browser started');
    return new Robot(launched.browser, true, options, log);
  }

  get concurrency(): number {
    return this.options.concurrency;
  }

  /**
   * The applications that refused this robot's account (wrong password, locked or expired
   * account). Until {@link forgetLoginRefusal}, every dossier needing one of them throws
   * {@link LoginRefused} without trying to log in, so the account is not locked by retries.
   */
  get loginRefusals(): readonly LoginRefusal[] {
    return this.logins.refused();
  }

  /** The credentials of this application were fixed: the next dossier needing it logs in again. Whether it was refused. */
  forgetLoginRefusal(applicationId: string): boolean {
    return this.logins.forget(applicationId);
  }

  /**
   * Processes one dossier. Resolves `done` (with the back office's reference) or
   * `rejected` (with its reason); rejects with a {@link TechnicalFailure} carrying
   * evidence when the machinery failed and the dossier should be retried. The reason,
   * the error (message, stack, causes, fields), the step events and the log lines are
   * masked with the scenario's scrubber for this row: none quotes its personal data.
   */
  async run<Row extends Record<string, unknown>>(scenario: Scenario<Row>, row: Row, meta: RunOptions): Promise<DossierOutcome> {
    if (this.closing) throw new TechnicalFailure('the robot is closing', 'The dossier will be taken by another worker.');
    // Whatever leaves the robot (outcome, error, log line, step event) is masked with the
    // dossier's own scrubber: a refusal or a Playwright message may quote a NIR or a name.
    const scrub = dossierScrubber(scenario, row);
    try {
      const outcome = await this.runMasked(scenario, row, meta, scrub);
      return outcome.status === 'rejected' ? { ...outcome, reason: scrub.text(outcome.reason) } : outcome;
    } catch (error) {
      throw maskError(error, scrub);
    }
  }

  private async runMasked<Row extends Record<string, unknown>>(scenario: Scenario<Row>, row: Row, meta: RunOptions, scrub: Scrubber): Promise<DossierOutcome> {
    const onStep = meta.onStep;
    if (onStep) meta = { ...meta, onStep: (event) => onStep({ ...event, at: scrub.deep(event.at) }) };
    const slot = await this.acquire();
    const log = this.logger.child({ scenario: scenario.id, dossier: meta.dossierId, slot: slot.index });
    const started = performance.now();
    const robotMs = () => Math.round(performance.now() - started);
    const saveTrace = async () => {
      const files = await slot.stopTrace();
      if (files.length > 0) meta.onTrace?.(files);
    };
    try {
      if (meta.tracePath) await slot.startTrace(meta.tracePath);
      for (let restarts = 0; ; ) {
        try {
          const finished = await runDossierSteps(
            {
              slot, scenario, endpoints: this.options.applications, defaultTimeoutMs: this.options.defaultTimeoutMs, logger: log,
              ...(meta.dryRun ? { dryRun: true } : {}), ...(meta.onStep ? { onStep: meta.onStep } : {}),
              ...(meta.screenCheck ? { screenCheck: meta.screenCheck } : {}),
              ...(meta.commitGate ? { commitGate: meta.commitGate } : {}), ...(meta.signal ? { signal: meta.signal } : {}),
            },
            row,
          );
          log.info({ reference: scrub.text(finished.reference), alreadyEntered: finished.alreadyEntered, robotMs: robotMs() }, 'dossier done');
          return { ...finished, robotMs: robotMs() };
        } catch (error) {
          // Restarting is safe: the scenario's guard runs again before anything is entered.
          if (error instanceof SessionExpired && ++restarts < SESSION_RESTARTS) {
            log.info({ application: error.application }, 'session expired mid-dossier; restarting it');
            continue;
          }
          if (error instanceof CommitHeld) {
            // The guard ran on this pass and did not find the entry. Once the earlier click can no
            // longer land, not finding it leaves the outcome to a person; until then, look again.
            if (error.settleInMs <= 0) throw new ManualCheckNeeded(error.application, scenario.describeKey(row), error.at);
            log.info({ settleInMs: error.settleInMs }, 'an earlier commit click may still land; looking again before anything else');
            await sleep(Math.min(error.settleInMs, SETTLE_POLL_MS));
            continue;
          }
          throw error;
        }
      }
    } catch (error) {
      if (error instanceof BusinessRejection) {
        log.info({ reason: scrub.text(error.reason), robotMs: robotMs() }, 'dossier rejected');
        return { status: 'rejected', reason: error.reason, robotMs: robotMs() };
      }
      // Not this robot's any more: nothing to document, the page is left as it is for the next dossier.
      if (error instanceof OwnershipLost) throw error;
      const failure = error instanceof ProwebError ? error : new TechnicalFailure((error as Error).message, undefined, { cause: error });
      // The browser may be closing (a worker shutting down): then there is nothing to keep.
      const privacy = { personal: scenario.screens.personalElements(), scrubber: scrub };
      failure.evidence = await slot.page().then((page) => keepEvidence(page, `${this.options.evidenceDir}/${scenario.id}`, meta.dossierId, privacy), () => []);
      maskError(failure, scrub);
      log.warn({ err: failure, evidence: failure.evidence }, 'dossier failed');
      // The page is in an unknown state: start the next dossier on a fresh context (trace saved first).
      await saveTrace();
      await slot.recycle();
      throw failure;
    } finally {
      await saveTrace();
      slot.dossiers++;
      if (slot.dossiers >= this.options.recycleAfter) await slot.recycle();
      this.release(slot);
    }
  }

  /**
   * Walks a dossier through the scenario in a dry run and checks, on each screen it
   * reaches, that every element of that screen's map is still there. Screens it never
   * reaches (the confirmation after the commit, a branch not taken) are reported so.
   */
  async checkScreens<Row extends Record<string, unknown>>(scenario: Scenario<Row>, row: Row, meta: Omit<RunOptions, 'dryRun' | 'screenCheck'>): Promise<ScreenReport> {
    const screenCheck = new Map<string, ScreenElementCheck[]>();
    let outcome: DossierOutcome | undefined;
    let failure: Error | undefined;
    try {
      outcome = await this.run(scenario, row, { ...meta, dryRun: true, screenCheck });
    } catch (error) {
      failure = error as Error;
    }
    const checked = [...screenCheck.values()].flat();
    const notVisited = scenario.screens.all().filter((s) => !screenCheck.has(s.name)).map((s) => ({ application: s.application, screen: s.name }));
    return { checked, notVisited, ...(outcome ? { outcome } : {}), ...(failure ? { failure } : {}) };
  }

  private acquire(): Promise<Slot> {
    const slot = this.free.pop();
    return slot ? Promise.resolve(slot) : new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  /** Closes every context and, if the robot started it, the browser. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.ownsBrowser) await this.browser.close().catch((err: unknown) => this.logger.warn({ err }, 'browser close failed'));
      else await Promise.all(this.free.map((s) => s.recycle()));
    })();
    return this.closing;
  }
}

/**
 * The scrubber of one dossier: the scenario's (its personal fields' values and the
 * patterns), plus those values as a URL carries them (`MARTIN%20Claire`, `MARTIN+Claire`),
 * since Playwright's messages quote the URLs the robot opened.
 */
function dossierScrubber<Row extends Record<string, unknown>>(scenario: Scenario<Row>, row: Row): Scrubber {
  const values = scenario.personal.map((field): unknown => row[field]).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String);
  return scenario.scrubberFor(row).with(values.flatMap((v) => [encodeURIComponent(v), new URLSearchParams({ v }).toString().slice(2)]));
}

/**
 * Masks an error about to leave the robot, in place (its class kept: the queue tells a
 * refusal from a failure by it): its message, stack and causes, and the texts it carries
 * besides (`reason`, `at`, `applicationMessage`...), which the queue may store or print.
 */
function maskError(error: unknown, scrub: Scrubber): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? scrub.text(error) : error;
  scrub.error(error);
  const seen = new Set<unknown>();
  for (let current: unknown = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    for (const [key, value] of Object.entries(current)) {
      // Evidence paths name the dossier by its id, never by its data.
      if (key !== 'evidence' && key !== 'cause') (current as unknown as Record<string, unknown>)[key] = scrub.deep(value);
    }
  }
  return error;
}
