import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from '../../runner/index.ts';

/** What {@link pageWith} opens: read its fields inside tests and hooks, once `beforeAll` has run. */
export interface HeldPage {
  readonly browser: Browser;
  readonly page: Page;
}

/**
 * One Chromium for the test file and one page holding `html`, opened before its tests and closed
 * after them: for tests that read a fixed page (open another page on `browser` for a variant).
 */
export function pageWith(html: string): HeldPage {
  const held = {} as { browser: Browser; page: Page };
  beforeAll(async () => {
    ({ browser: held.browser } = await launchBrowser());
    held.page = await held.browser.newPage();
    await held.page.setContent(html);
  });
  afterAll(async () => {
    await held.browser?.close();
  });
  return held;
}
