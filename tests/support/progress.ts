import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `count` reaches `target`, failing only when it stops moving for
 * `stallMs`: a campaign of hundreds of dossiers takes as long as the machine needs
 * (CI is slower than a laptop), but a campaign that no longer progresses fails at
 * once, with where it stuck. A count that cannot be read (Redis restarting) is no
 * progress. The test's own timeout still bounds the whole.
 */
export async function untilReached(count: () => Promise<number>, target: number, what: string, stallMs = 60_000): Promise<number> {
  let last = -1;
  let movedAt = Date.now();
  let lastError: unknown;
  for (;;) {
    const now = await count().catch((error: unknown) => {
      lastError = error;
      return last;
    });
    if (now >= target) return now;
    if (now !== last) {
      last = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`${what}: stuck at ${now} of ${target} for ${Math.round(stallMs / 1000)} s`, { cause: lastError });
    }
    await sleep(250);
  }
}
