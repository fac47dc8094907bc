import { setTimeout as sleep } from 'node:timers/promises';
import { vi } from 'vitest';

/**
 * Waits (with vitest's `vi.waitFor`) until `check` returns a value other than
 * undefined/false, and returns it: tests wait on outcomes, never on time.
 */
export function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await check();
      if (value === undefined || value === false) throw new Error(`timed out waiting for ${what}`);
      return value;
    },
    { timeout: timeoutMs, interval: 25 },
  );
}

/**
 * Waits until `count` reaches `target`, failing only when it stops moving for
 * `stallMs`: a campaign of hundreds of dossiers takes as long as the machine needs
 * (CI is about twice slower than a workstation), but one that no longer progresses
 * fails, saying where it stuck. A count that cannot be read (Redis restarting) is no
 * progress. The test's own timeout still bounds the whole.
 */
export async function untilReached(count: () => Promise<number>, target: number, what: string, stallMs = 60_000): Promise<number> {
  let last = -1;
  let movedAt = Date.now();
  let readError: unknown;
  for (;;) {
    const now = await count().then(
      (n) => { readError = undefined; return n; },
      (error: unknown) => { readError = error; return last; },
    );
    if (now >= target) return now;
    if (now !== last) {
      last = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`${what}: stuck at ${now} of ${target} for ${Math.round(stallMs / 1000)} s`, { cause: readError });
    }
    await sleep(250);
  }
}
