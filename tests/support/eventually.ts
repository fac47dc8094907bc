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
