/**
 * The setup of an end-to-end test file: a real redis-server, the mock back office over
 * HTTP and a robot in real Chromium logged in to the applications it names, started once
 * for the file and stopped after it; before each test the back office is reset (its
 * entries gone, no fault armed), and after each test what the test handed to
 * {@link E2e.closeAfterTest} is closed, last handed first.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { DEFAULT_USER, startBackOffice, type BackOffice } from '../../fixtures/backoffice/index.ts';
import { Robot, type RobotOptionsInput } from '../../runner/index.ts';
import { startTestRedis, type TestRedis } from './redis.ts';

export interface E2eOptions {
  /** The applications the robot logs in to, all served by the mock back office. @defaultValue ['progres'] */
  applications?: readonly string[];
  /** Everything else the robot takes (concurrency, defaultTimeoutMs...); evidence goes to `.proweb/test-evidence` unless told. */
  robot?: Omit<RobotOptionsInput, 'applications'>;
}

export interface E2e {
  readonly redis: TestRedis;
  readonly backOffice: BackOffice;
  readonly robot: Robot;
  /** Closes `close` after the current test (a queue, a worker), before the back office is reset for the next. */
  closeAfterTest(...close: (() => Promise<unknown>)[]): void;
}

/** Registers the file's hooks; the returned fields are there from `beforeAll` on. */
export function useE2e(options: E2eOptions = {}): E2e {
  let redis: TestRedis | undefined;
  let backOffice: BackOffice | undefined;
  let robot: Robot | undefined;
  const closing: (() => Promise<unknown>)[] = [];
  const started = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`useE2e: ${name} is started in beforeAll; read it inside a hook or a test`);
    return value;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
    backOffice = await startBackOffice({ port: 0 });
    const endpoint = { baseUrl: backOffice.url, ...DEFAULT_USER };
    const applications = Object.fromEntries((options.applications ?? ['progres']).map((id) => [id, endpoint]));
    robot = await Robot.launch({ evidenceDir: '.proweb/test-evidence', ...options.robot, applications });
  });
  beforeEach(() => {
    backOffice?.state.reset();
    backOffice?.faults.clear();
  });
  afterEach(async () => {
    while (closing.length > 0) await closing.pop()!();
  });
  afterAll(async () => {
    await robot?.close();
    await backOffice?.close();
    await redis?.close();
  });

  return {
    get redis() {
      return started(redis, 'redis');
    },
    get backOffice() {
      return started(backOffice, 'the back office');
    },
    get robot() {
      return started(robot, 'the robot');
    },
    closeAfterTest: (...close) => void closing.push(...close),
  };
}
