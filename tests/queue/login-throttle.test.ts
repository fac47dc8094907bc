import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../queue/fleet/login-throttle.ts';

describe('failed logins slowed down per client', () => {
  it('waits from the limit on, twice as long each further failure, up to the longest wait', () => {
    let now = 0;
    const throttle = new LoginThrottle({ maxFailures: 2, windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 5000, now: () => now });
    expect(throttle.failed('a')).toEqual({ locked: false });
    expect(throttle.failed('a')).toEqual({ locked: true, waitMs: 1000 });
    expect(throttle.waitMs('a')).toBe(1000);
    expect(throttle.waitMs('b')).toBe(0);
    const waits = [];
    for (let i = 0; i < 4; i++) {
      now += throttle.waitMs('a');
      const outcome = throttle.failed('a');
      waits.push(outcome.locked ? outcome.waitMs : 0);
    }
    expect(waits).toEqual([2000, 4000, 5000, 5000]);
    throttle.succeeded('a');
    expect(throttle.waitMs('a')).toBe(0);
    expect(throttle.failed('a')).toEqual({ locked: false });
  });

  it('forgets failures older than the window, and starts again from the first wait after a quiet window', () => {
    let now = 0;
    const throttle = new LoginThrottle({ maxFailures: 2, windowMs: 10_000, baseDelayMs: 1000, now: () => now });
    throttle.failed('a');
    now += 10_001;
    expect(throttle.failed('a')).toEqual({ locked: false });
    expect(throttle.failed('a')).toEqual({ locked: true, waitMs: 1000 });
    now += 1000;
    expect(throttle.failed('a')).toEqual({ locked: true, waitMs: 2000 });
    now += 20_000;
    expect(throttle.failed('a')).toEqual({ locked: false });
    expect(throttle.failed('a')).toEqual({ locked: true, waitMs: 1000 });
  });

  it('remembers a bounded number of clients, the least recent forgotten first', () => {
    const throttle = new LoginThrottle({ maxFailures: 1, baseDelayMs: 1000, maxClients: 2, now: () => 0 });
    for (const client of ['a', 'b', 'c']) throttle.failed(client);
    expect(['a', 'b', 'c'].map((c) => throttle.waitMs(c))).toEqual([0, 1000, 1000]);
  });

  it('refuses settings that would not throttle', () => {
    expect(() => new LoginThrottle({ maxFailures: 0 })).toThrow(RangeError);
    expect(() => new LoginThrottle({ baseDelayMs: 10_000, maxDelayMs: 1000 })).toThrow(RangeError);
  });
});
