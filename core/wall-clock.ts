/**
 * Wall clocks of time zones: what a clock in Paris (or Cayenne) reads at an instant, and
 * the instant it first reads a given time. A wall-clock reading is written as the UTC
 * instant with the same fields, so that wall-clock arithmetic is millisecond arithmetic.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** What the clock of `timezone` reads at instant `t`, as a UTC instant with the same fields. */
export function wallClock(t: number, timezone: string): number {
  const n: Record<string, number> = {};
  for (const part of formatterFor(timezone).formatToParts(t)) {
    if (part.type !== 'literal') n[part.type] = Number(part.value);
  }
  const millis = ((t % 1000) + 1000) % 1000;
  return Date.UTC(n.year!, n.month! - 1, n.day!, n.hour!, n.minute!, n.second!) + millis;
}

/**
 * The first instant at which the clock of `timezone` reads `wall` or later: on the night
 * clocks go forward, a time that does not exist is the instant of the jump; on the night
 * they go back, a repeated time is its first occurrence.
 */
export function firstInstantReading(wall: number, timezone: string): number {
  // Offsets a day either side bracket any single change of offset around `wall`.
  const before = wall - (wallClock(wall - DAY_MS, timezone) - (wall - DAY_MS));
  const after = wall - (wallClock(wall + DAY_MS, timezone) - (wall + DAY_MS));
  const exact = [before, after].filter((t) => wallClock(t, timezone) === wall);
  if (exact.length > 0) return Math.min(...exact);
  let low = Math.min(before, after);
  let high = Math.max(before, after);
  if (!(wallClock(low, timezone) < wall && wallClock(high, timezone) >= wall)) return high;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (wallClock(middle, timezone) >= wall) high = middle;
    else low = middle;
  }
  return high;
}

/** `dd/mm/yyyy HH:MM` on the clock of `timezone`, as French screens and messages write it. */
export function formatWallClock(at: Date | number, timezone: string): string {
  const wall = new Date(wallClock(typeof at === 'number' ? at : at.getTime(), timezone));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(wall.getUTCDate())}/${two(wall.getUTCMonth() + 1)}/${wall.getUTCFullYear()} ${two(wall.getUTCHours())}:${two(wall.getUTCMinutes())}`;
}
