/**
 * The setup of an end-to-end test file: a real redis-server (or the Redis it is given: a
 * Cluster, a Sentinel set), the mock back office over HTTP and a robot in real Chromium
 * logged in to the applications it names, started once for the file (or for the describe
 * block that calls {@link useE2e}) and stopped after it; before each test every mock
 * application is reset (its entries gone, its seed data back, no fault armed), and after
 * each test what the test handed to {@link E2e.closeAfterTest} is closed, last handed first.
 *
 * @example
 * const e2e = useE2e({ applications: ['grh'], robot: { concurrency: 4 } });
 * it('enters each bonus once', async () => {
 *   const { ledger, result } = e2e.campaign(primeCovid, await copySample('prime-covid-10.csv'));
 *   expect((await result).finished.map((f) => f.status)).toEqual(Array(10).fill('done'));
 *   expect(duplicatesIn(e2e.backOffice.apps.grh.entriesByKey())).toEqual([]);
 * });
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { DEFAULT_USER, startBackOffice, type BackOffice, type StartOptions } from '../../fixtures/backoffice/index.ts';
import { Ledger } from '../../gains/index.ts';
import { runCampaign, type CampaignResult, type RunCampaignOptions } from '../../queue/campaigns/run-campaign.ts';
import { Robot, type RobotOptionsInput } from '../../runner/index.ts';
import type { Scenario } from '../../scenarios/dsl/index.ts';
import { startTestRedis, type TestRedis } from './redis.ts';
import { testSecret } from './secret.ts';

/** What the setup stops after the tests: a Redis of any kind. */
interface Closable {
  close(): Promise<void>;
}

export interface E2eOptions<R extends Closable = TestRedis> {
  /**
   * Starts the Redis the tests run on, in place of a private redis-server (`startTestCluster`,
   * `startTestSentinel`); the setup then has no {@link E2e.campaign}, which takes a single server.
   */
  redis?: () => Promise<R>;
  /** The applications the robot logs in to, all served by the mock back office. @defaultValue ['progres'] */
  applications?: readonly string[];
  /** The mock back office's options (an application's behaviour, a seed, latency...); it listens on a free port. */
  backOffice?: Omit<StartOptions, 'port' | 'host'>;
  /** Everything else the robot takes (concurrency, defaultTimeoutMs...); evidence goes to `.proweb/test-evidence` unless told. */
  robot?: Omit<RobotOptionsInput, 'applications'>;
}

/**
 * What {@link E2e.campaign} takes besides the scenario and the file: any option of
 * `runCampaign`; without `prefix`, a fresh one (a fresh deployment).
 */
export type E2eCampaignOptions = Partial<Omit<RunCampaignOptions, 'scenario' | 'file' | 'ledger'>>;

/** A campaign started by {@link E2e.campaign}: the ledger it records in, and its end. */
export interface E2eCampaign {
  readonly ledger: Ledger;
  readonly result: Promise<CampaignResult>;
}

/** The setup on the Redis it was given (see {@link E2eOptions.redis}). */
export interface E2eOn<R> {
  readonly redis: R;
  readonly backOffice: BackOffice;
  readonly robot: Robot;
  /** Closes `close` after the current test (a queue, a worker), before the back office is reset for the next. */
  closeAfterTest(...close: (() => Promise<unknown>)[]): void;
}

/** The setup on a private redis-server. */
export interface E2e extends E2eOn<TestRedis> {
  /**
   * Runs a campaign of `scenario` on `file` with this robot, on this Redis, for 'CPAM Lille-Douai'
   * from machine 'test-robot', recorded in a ledger under the campaign's prefix.
   */
  campaign(scenario: Scenario<any>, file: string, options?: E2eCampaignOptions): E2eCampaign;
}

/** Registers the hooks of the calling file (or describe block); the returned fields are there from `beforeAll` on. */
export function useE2e(options?: E2eOptions): E2e;
export function useE2e<R extends Closable>(options: E2eOptions<R> & { redis: () => Promise<R> }): E2eOn<R>;
export function useE2e(options: E2eOptions<Closable> = {}): E2e {
  let redis: Closable | undefined;
  let backOffice: BackOffice | undefined;
  let robot: Robot | undefined;
  const closing: (() => Promise<unknown>)[] = [];
  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`useE2e: ${name} is started in beforeAll; read it inside a hook or a test`);
    return value;
  };

  beforeAll(async () => {
    redis = await (options.redis ?? startTestRedis)();
    backOffice = await startBackOffice({ ...options.backOffice, port: 0 });
    const endpoint = { baseUrl: backOffice.url, ...DEFAULT_USER };
    const applications = Object.fromEntries((options.applications ?? ['progres']).map((id) => [id, endpoint]));
    robot = await Robot.launch({ evidenceDir: '.proweb/test-evidence', ...options.robot, applications });
  });
  beforeEach(() => {
    if (!backOffice) return;
    // Every application, not only the robot's: a test may have entered in another by hand.
    backOffice.state.reset();
    for (const app of Object.values(backOffice.apps)) app.reset();
    backOffice.faults.clear();
  });
  afterEach(async () => {
    while (closing.length > 0) await closing.pop()!();
  });
  afterAll(async () => {
    await robot?.close();
    await backOffice?.close();
    await redis?.close();
  });

  const e2e: E2e = {
    get redis() {
      // A private redis-server unless options.redis says otherwise, in which case the overload's type says what it is.
      return started(redis, 'redis') as TestRedis;
    },
    get backOffice() {
      return started(backOffice, 'the back office');
    },
    get robot() {
      return started(robot, 'the robot');
    },
    closeAfterTest: (...close) => void closing.push(...close),
    campaign(scenario, file, { prefix = e2e.redis.prefix(), ...rest } = {}) {
      const ledger = new Ledger(e2e.redis.client, { prefix });
      const result = runCampaign({
        connection: e2e.redis.server.connection, secret: testSecret, caisse: 'CPAM Lille-Douai', machine: 'test-robot', robot: e2e.robot,
        ...rest, prefix, scenario, file, ledger,
      });
      return { ledger, result };
    },
  };
  return e2e;
}
