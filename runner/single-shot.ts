import type { Page, Route } from 'playwright';

/** What {@link withSingleShotPosts} tells the commit it wraps. */
export interface CommitWire {
  /** Whether any request left the page since the commit began: if not, nothing can have been committed. */
  readonly sent: boolean;
}

/**
 * Runs `act` (a commit click and the wait for its answer) with the page's posts sent once and
 * only once. Chromium resends a request whose reused keep-alive connection closed before any
 * answer, POST included, as it takes that for an idle connection the server dropped: after a
 * connection cut once the application had committed, the browser itself would enter the
 * dossier a second time within one click. Here a post leaves through Playwright's own HTTP
 * client with no retry, redirects are left to the browser, and a lost connection or a timeout
 * reaches the page as a network error (outcome unknown). Every request is seen on its way out,
 * so the commit knows whether anything at all was sent.
 */
export async function withSingleShotPosts<T>(page: Page, timeoutMs: number, act: (wire: CommitWire) => Promise<T>): Promise<T> {
  const wire = { sent: false };
  const inFlight = new Set<Promise<void>>();
  const send = async (route: Route) => {
    wire.sent = true;
    if (route.request().method() !== 'POST') return route.fallback();
    let response;
    try {
      response = await route.fetch({ maxRedirects: 0, maxRetries: 0, timeout: timeoutMs });
    } catch {
      await route.abort('connectionreset').catch(() => undefined);
      return;
    }
    await route.fulfill({ response }).catch(() => undefined);
  };
  const handler = (route: Route) => {
    const sending = send(route);
    inFlight.add(sending);
    return sending.finally(() => inFlight.delete(sending));
  };
  // On the whole context: a commit that opens a window of its own is seen too.
  const context = page.context();
  await context.route('**/*', handler);
  try {
    return await act(wire);
  } finally {
    // Removing the route while a post is still in flight would let the browser send it itself:
    // a second post. The fetch ends by its own timeout at the latest.
    await Promise.allSettled([...inFlight]);
    await context.unroute('**/*', handler).catch(() => undefined);
  }
}
