import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_SECRET_TEXT } from './secret.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Processes still alive that the command started (found by an environment marker they inherit). */
  leftovers: string[];
}

/**
 * Live processes started by a command: they inherit its environment marker, or (redis-server,
 * whose process title overwrites its environment) run in one of its folders.
 */
export function processesMarked(marker: string, folders: string[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cwd = (() => {
        try {
          return readlinkSync(`/proc/${pid}/cwd`);
        } catch {
          return '';
        }
      })();
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker) || folders.some((f) => cwd.startsWith(f))) {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        // A zombie (state Z) has exited; only its parent has not reaped it yet.
        if (!/^\d+ \(.*\) Z/.test(stat)) found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 80)}`);
      }
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** tsx's cache of compiled files lives in the temporary folder, as `tsx-<uid>`. */
const TSX_CACHE = `tsx-${process.geteuid?.() ?? 'user'}`;

/**
 * A fresh temporary folder for one command, where what it leaves (the demo's Redis data) can
 * be recognised. It links to the tests' own tsx cache, so that a command does not compile the
 * whole tree again (half a second to a second of CPU each, for some 80 commands).
 */
function commandTmpdir(): string {
  const tmp = mkdtempSync(join(tmpdir(), 'proweb-cli-tmp-'));
  const shared = join(tmpdir(), TSX_CACHE);
  mkdirSync(shared, { recursive: true });
  symlinkSync(shared, join(tmp, TSX_CACHE));
  return tmp;
}

/**
 * Runs the `proweb` CLI as a user would, and reports what it left running once it exited.
 * It holds the tests' deployment secret (`PROWEB_SECRET`) unless `env` says otherwise (`''`: none).
 */
export interface RunCliOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Sends `signal` once the output matches `when` (to interrupt a command mid-way). */
  interrupt?: { when: RegExp; signal: NodeJS.Signals };
}

export function runCli(args: string[], envOrOptions: NodeJS.ProcessEnv | RunCliOptions = {}, timeoutMs = 180_000): Promise<CliRun> {
  const options: RunCliOptions = 'env' in envOrOptions || 'interrupt' in envOrOptions ? (envOrOptions as RunCliOptions) : { env: envOrOptions as NodeJS.ProcessEnv };
  const env = options.env ?? {};
  timeoutMs = options.timeoutMs ?? timeoutMs;
  const marker = `PROWEB_TEST_RUN=${randomUUID()}`;
  const [key, value] = marker.split('=') as [string, string];
  // The command's temporary folders (the demo's Redis data) land here, where they can be recognised.
  const tmp = commandTmpdir();
  const folders = [tmp, ...(env.PROWEB_DATA_DIR ? [env.PROWEB_DATA_DIR] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, PROWEB_SECRET: TEST_SECRET_TEXT, ...env, TMPDIR: tmp, [key]: value },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const watch = () => {
      if (options.interrupt && !interrupted && options.interrupt.when.test(stdout + stderr)) {
        interrupted = true;
        child.kill(options.interrupt.signal);
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      watch();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      watch();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Give the kernel a moment to reap children killed on the way out.
      setTimeout(() => resolve({ code, stdout, stderr, leftovers: processesMarked(marker, folders) }), 300);
    });
  });
}

/** A long-running `proweb` command (a worker), driven by the test; with the tests' deployment secret, as {@link runCli}. */
export interface CliProcess {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once the output matches, rejects if the process exits first or the deadline passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited, with its code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Processes it started that are still alive (browsers, servers). */
  leftovers(): string[];
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const marker = `PROWEB_TEST_RUN=${randomUUID()}`;
  const [key, value] = marker.split('=') as [string, string];
  const tmp = commandTmpdir();
  const folders = [tmp, ...(env.PROWEB_DATA_DIR ? [env.PROWEB_DATA_DIR] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, PROWEB_SECRET: TEST_SECRET_TEXT, ...env, TMPDIR: tmp, [key]: value },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    changed();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    changed();
  });
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      hasExited = true;
      changed();
      resolve({ code, signal });
    }),
  );
  return {
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    kill: (signal) => void child.kill(signal),
    exited,
    leftovers: () => processesMarked(marker, folders),
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout)) return done(resolve);
          if (hasExited) return done(() => reject(new Error(`process exited before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`))), timeoutMs);
        const done = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        listeners.add(check);
        check();
      });
    },
  };
}
