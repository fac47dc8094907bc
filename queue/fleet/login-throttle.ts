/**
 * Failed logins slowed down per client, so that a password cannot be guessed by trying
 * (the dashboard's HTTP Basic login answers every request, and a script can send
 * thousands a second). After `maxFailures` failures within `windowMs`, the client is
 * refused without its credentials being looked at for `baseDelayMs`, then twice as long
 * after each further failure, up to `maxDelayMs`. A successful login resets the client.
 */

export interface LoginThrottleOptions {
  /** Failures a client may have within the window before it must wait. @defaultValue 5 */
  maxFailures?: number;
  /** How long a failure is remembered. @defaultValue 15 minutes */
  windowMs?: number;
  /** The first wait. @defaultValue 1 s */
  baseDelayMs?: number;
  /** The longest wait. @defaultValue 15 minutes */
  maxDelayMs?: number;
  /** Clients remembered at most; the oldest are forgotten first. @defaultValue 10 000 */
  maxClients?: number;
  /** Clock (tests). @defaultValue Date.now */
  now?: () => number;
}

interface ClientRecord {
  /** Failure times within the window, oldest first. */
  failures: number[];
  /** Failures past the limit since the last success: the exponent of the wait. */
  excess: number;
  /** Until when the client is refused (ms since the epoch); 0 when it is not. */
  lockedUntil: number;
}

/** What a failure did: the client may try again now, or must wait. */
export type FailureOutcome = { locked: false } | { locked: true; waitMs: number };

/** Failed logins per client, in memory (one dashboard process, one table). */
export class LoginThrottle {
  private readonly clients = new Map<string, ClientRecord>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 15 * 60_000;
    this.maxClients = options.maxClients ?? 10_000;
    this.now = options.now ?? Date.now;
    if (!(this.maxFailures >= 1 && this.windowMs > 0 && this.baseDelayMs > 0 && this.maxDelayMs >= this.baseDelayMs)) {
      throw new RangeError('login throttle: maxFailures >= 1, windowMs > 0, 0 < baseDelayMs <= maxDelayMs');
    }
  }

  /** How long the client must still wait before its credentials are looked at; 0 when it may try. */
  waitMs(client: string): number {
    const record = this.clients.get(client);
    return record ? Math.max(0, record.lockedUntil - this.now()) : 0;
  }

  /** A failed login of the client: from the limit on, it must wait, longer each time. */
  failed(client: string): FailureOutcome {
    const now = this.now();
    const record = this.clients.get(client) ?? { failures: [], excess: 0, lockedUntil: 0 };
    this.clients.delete(client); // re-inserted last: the map's order is the forgetting order
    record.failures = record.failures.filter((at) => at > now - this.windowMs);
    // A client quiet for a whole window starts again from the first wait.
    if (record.failures.length === 0 && record.lockedUntil <= now) record.excess = 0;
    record.failures.push(now);
    if (record.failures.length < this.maxFailures) {
      this.remember(client, record);
      return { locked: false };
    }
    const waitMs = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(record.excess, 30));
    record.excess++;
    record.lockedUntil = now + waitMs;
    this.remember(client, record);
    return { locked: true, waitMs };
  }

  /** A successful login: the client's failures are forgotten. */
  succeeded(client: string): void {
    this.clients.delete(client);
  }

  private remember(client: string, record: ClientRecord): void {
    this.clients.set(client, record);
    if (this.clients.size <= this.maxClients) return;
    // A flood of clients cannot grow the table without end: the least recent goes first.
    const oldest = this.clients.keys().next().value;
    if (oldest !== undefined) this.clients.delete(oldest);
  }
}
