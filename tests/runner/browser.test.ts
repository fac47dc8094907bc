import { join, sep } from 'node:path';
import { chromium } from 'playwright';
import { describe, expect, it } from 'vitest';
import {
  BrowserNotFound,
  CHROMIUM_ARGS,
  DEBIAN_CHROMIUM,
  DEBIAN_HEADLESS_SHELL,
  findBrowser,
  launchBrowser,
} from '../../runner/browser.ts';

// Derived the same way as the module does, so the test follows Playwright's layout on any host.
const managedChromium = chromium.executablePath();
const managedShell = (() => {
  const parts = managedChromium.split(sep);
  const i = parts.findIndex((p) => /^chromium-\d+$/.test(p));
  return join(parts.slice(0, i).join(sep) || sep, `chromium_headless_shell-${parts[i]!.slice(9)}`,
    parts[i + 1]!.replace(/^chrome-/, 'chrome-headless-shell-'), 'chrome-headless-shell');
})();

const only = (...present: string[]) => (path: string) => present.includes(path);

describe('findBrowser', () => {
  it('prefers PROWEB_CHROMIUM when it exists', () => {
    const choice = findBrowser({ headed: false, env: { PROWEB_CHROMIUM: '/opt/chrome' }, exists: only('/opt/chrome', DEBIAN_HEADLESS_SHELL) });
    expect(choice).toEqual({ executablePath: '/opt/chrome', source: 'PROWEB_CHROMIUM' });
  });

  it('rejects a PROWEB_CHROMIUM that points nowhere, naming it, without falling back', () => {
    const find = () => findBrowser({ headed: false, env: { PROWEB_CHROMIUM: '/nowhere/chrome' }, exists: only(DEBIAN_HEADLESS_SHELL) });
    expect(find).toThrow(BrowserNotFound);
    expect(find).toThrow(/PROWEB_CHROMIUM=\/nowhere\/chrome/);
  });

  it('uses the Playwright headless shell for headless runs when installed', () => {
    expect(managedShell).toContain('chromium_headless_shell-');
    expect(findBrowser({ headed: false, env: {}, exists: only(managedShell, DEBIAN_HEADLESS_SHELL) }))
      .toEqual({ executablePath: undefined, source: 'playwright' });
  });

  it('uses the Playwright chromium for headed runs when installed', () => {
    expect(findBrowser({ headed: true, env: {}, exists: only(managedChromium, DEBIAN_CHROMIUM) }))
      .toEqual({ executablePath: undefined, source: 'playwright' });
  });

  it('names the Playwright chromium explicitly for headless runs when its shell is missing', () => {
    expect(findBrowser({ headed: false, env: {}, exists: only(managedChromium) }))
      .toEqual({ executablePath: managedChromium, source: 'playwright' });
  });

  it('falls back to the Debian headless shell for headless runs', () => {
    expect(findBrowser({ headed: false, env: {}, exists: only(DEBIAN_HEADLESS_SHELL, DEBIAN_CHROMIUM) }))
      .toEqual({ executablePath: DEBIAN_HEADLESS_SHELL, source: 'debian-headless-shell' });
  });

  it('uses Debian chromium for headless runs when the shell is missing', () => {
    expect(findBrowser({ headed: false, env: {}, exists: only(DEBIAN_CHROMIUM) }))
      .toEqual({ executablePath: DEBIAN_CHROMIUM, source: 'debian-chromium' });
  });

  it('uses Debian chromium for headed runs, never the headless shell', () => {
    expect(findBrowser({ headed: true, env: {}, exists: only(DEBIAN_HEADLESS_SHELL, DEBIAN_CHROMIUM) }))
      .toEqual({ executablePath: DEBIAN_CHROMIUM, source: 'debian-chromium' });
    expect(() => findBrowser({ headed: true, env: {}, exists: only(DEBIAN_HEADLESS_SHELL, managedShell) })).toThrow(/cannot run headed/);
  });

  it('says how to install a browser when none is found', () => {
    const find = () => findBrowser({ headed: false, env: {}, exists: () => false });
    expect(find).toThrow(BrowserNotFound);
    expect(find).toThrow(/apt-get install -y chromium-headless-shell chromium.*PROWEB_CHROMIUM/);
  });

  it('treats an empty PROWEB_CHROMIUM as unset', () => {
    expect(findBrowser({ headed: false, env: { PROWEB_CHROMIUM: '' }, exists: only(DEBIAN_HEADLESS_SHELL) }).source)
      .toBe('debian-headless-shell');
  });
});

describe('launchBrowser', () => {
  it('exposes the fixed argument list', () => {
    expect(CHROMIUM_ARGS).toContain('--disable-dev-shm-usage');
    expect(Object.isFrozen(CHROMIUM_ARGS)).toBe(true);
  });

  it('launches a real headless browser that renders a page', async () => {
    const { browser, choice } = await launchBrowser({ headed: false });
    try {
      expect(choice.source).toBeTruthy();
      const page = await browser.newPage();
      await page.goto('data:text/html,<p>ok</p>');
      expect(await page.textContent('p')).toBe('ok');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
