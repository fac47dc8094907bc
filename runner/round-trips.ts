/**
 * Counts the Playwright calls a slot's page makes: each one is a round-trip from the robot to
 * the browser, and round-trips, not the robot's own code, are what a dossier's time is made of.
 * `proweb try --profile` shows them per step.
 */
export interface RoundTripCounter {
  count: number;
}

/**
 * Waits resolved from events the client already received: they send nothing to the browser.
 * (`waitForLoadState` resolves at once on a page that reached the state.)
 */
const CLIENT_SIDE = new Set<PropertyKey>(['waitForLoadState', 'waitForTimeout', 'waitForEvent', 'on', 'once', 'off', 'addListener', 'removeListener']);

/** A Playwright object (a page or a locator) whose asynchronous calls add one each to `counter`. */
export function countRoundTrips<T extends object>(target: T, counter: RoundTripCounter): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function' || CLIENT_SIDE.has(property)) return value;
      return (...args: unknown[]) => {
        // Called on the real object: Playwright reads its own private fields through `this`.
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
        if (result instanceof Promise) {
          counter.count++;
          return result;
        }
        // Locators are built on the client (page.getByLabel, locator.first): no round-trip yet,
        // but the calls made through them are counted too.
        return isLocator(result) ? countRoundTrips(result, counter) : result;
      };
    },
  });
}

function isLocator(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { waitFor?: unknown; first?: unknown; nth?: unknown };
  return typeof candidate.waitFor === 'function' && typeof candidate.first === 'function' && typeof candidate.nth === 'function';
}
