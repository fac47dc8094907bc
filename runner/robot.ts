import type { Browser } from 'playwright';
import { BusinessRejection, SessionExpired, TechnicalFailure } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { Scenario } from '../scenarios/dsl/index.ts';
import { launchBrowser } from './browser.ts';
import { runDossierSteps, type ScreenElementCheck, type StepEvent } from './dossier.ts';
import { keepEvidence } from './evidence.ts';
import { robotOptionsSchema, type RobotOptions, type RobotOptionsInput } from './options.ts';
import type { DossierOutcome } from './outcome.ts';
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
  /** Keep a Playwright trace of the dossier there (open it with `npx playwright show-trace`). */
  tracePath?: string;
  /** Check every element of every screen reached (see {@link Robot.checkScreens}). */
  screenCheck?: Map<string, ScreenElementCheck[]>;
}

/** How many times a dossier restarts at once when its session expired mid-way. */
const SESSION_RESTARTS = 2;

/**
 * A robot: one browser and `concurrency` slots, each a logged-in context that
 * processes one dossier at a time. It knows nothing of queues: give it a scenario
 * and a row, it returns how the dossier ended or throws a technical failure.
 */
export class Robot {
  private readonly free: Slot[];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly browser: Browser,
    private readonly ownsBrowser: boolean,
    readonly options: RobotOptions,
    private readonly logger: Logger,
  ) {
    this.free = Array.from({ length: options.concurrency }, (_, i) => new Slot(i, browser, logger));
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
   * Processes one dossier. Resolves `done` (with the back office's reference) or
   * `rejected` (with its reason); rejects with a {@link TechnicalFailure} carrying
   * evidence when the machinery failed and the dossier should be retried.
   */
  async run<Row extends Record<string, unknown>>(scenario: Scenario<Row>, row: Row, meta: RunOptions): Promise<DossierOutcome> {
    if (this.closing) throw new TechnicalFailure('the robot is closing', 'The dossier will be taken by another worker.');
    const slot = await this.acquire();
    const log = this.logger.child({ scenario: scenario.id, dossier: meta.dossierId, slot: slot.index });
    const started = performance.now();
    const robotMs = () => Math.round(performance.now() - started);
    if (meta.tracePath) await slot.startTrace();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const finished = await runDossierSteps(
            {
              slot, scenario, endpoints: this.options.applications, defaultTimeoutMs: this.options.defaultTimeoutMs, logger: log,
              ...(meta.dryRun ? { dryRun: true } : {}), ...(meta.onStep ? { onStep: meta.onStep } : {}),
              ...(meta.screenCheck ? { screenCheck: meta.screenCheck } : {}),
            },
            row,
          );
          log.info({ reference: finished.reference, alreadyEntered: finished.alreadyEntered, robotMs: robotMs() }, 'dossier done');
          return { ...finished, robotMs: robotMs() };
        } catch (error) {
          // Restarting is safe: the scenario's guard runs again before anything is entered.
          if (error instanceof SessionExpired && attempt < SESSION_RESTARTS) {
            log.info({ application: error.application }, 'session expired mid-dossier; restarting it');
            continue;
          }
          throw error;
        }
      }
    } catch (error) {
      if (error instanceof BusinessRejection) {
        log.info({ reason: error.reason, robotMs: robotMs() }, 'dossier rejected');
        return { status: 'rejected', reason: error.reason, robotMs: robotMs() };
      }
      const failure = error instanceof TechnicalFailure ? error : new TechnicalFailure((error as Error).message, undefined, { cause: error });
      failure.evidence = await keepEvidence(await slot.page(), `${this.options.evidenceDir}/${scenario.id}`, meta.dossierId);
      log.warn({ err: failure, evidence: failure.evidence }, 'dossier failed');
      // The page is in an unknown state: start the next dossier on a fresh context (trace saved first).
      if (meta.tracePath) await slot.stopTrace(meta.tracePath);
      await slot.recycle();
      throw failure;
    } finally {
      if (meta.tracePath) await slot.stopTrace(meta.tracePath);
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
