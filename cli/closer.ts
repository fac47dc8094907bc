/**
 * What the CLI started and must stop, in reverse order, whatever happens: on a
 * normal end, on an error, and on SIGINT/SIGTERM. A run leaves no chromium,
 * redis-server or HTTP server behind.
 */
export class Closer {
  private readonly stack: { name: string; close: () => Promise<unknown> }[] = [];
  private closing: Promise<void> | undefined;

  /** Registers something to close; returns it for chaining. */
  add<T>(name: string, thing: T, close: (t: T) => Promise<unknown>): T {
    this.stack.push({ name, close: () => close(thing) });
    return thing;
  }

  /** Closes everything, most recent first; a failure is reported and the rest still closes. Idempotent. */
  closeAll(report: (name: string, error: unknown) => void = () => undefined): Promise<void> {
    this.closing ??= (async () => {
      while (this.stack.length > 0) {
        const item = this.stack.pop()!;
        try {
          await item.close();
        } catch (error) {
          report(item.name, error);
        }
      }
    })();
    return this.closing;
  }
}
