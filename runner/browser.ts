import { accessSync, constants as fsConstants } from 'node:fs';
import { join, sep } from 'node:path';
import { chromium, type Browser } from 'playwright';
import { ProwebError } from '../core/errors.ts';

/** Which Chromium binary a run uses and why. */
export interface BrowserChoice {
  /** `undefined` lets Playwright pick its own managed build (its headless shell for headless runs). */
  executablePath: string | undefined;
  source: 'PROWEB_CHROMIUM' | 'playwright' | 'debian-headless-shell' | 'debian-chromium';
}

/** No usable Chromium; the message says which one was wanted and how to get it. */
export class BrowserNotFound extends ProwebError {
  override name = 'BrowserNotFound';
}

/** Debian's packages; the /usr/bin wrapper of the headless shell does not pass options through, so the real binary is used. */
export const DEBIAN_HEADLESS_SHELL = '/usr/lib/chromium/chromium-headless-shell';
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Flags for unattended back-office runs: no GPU, no background traffic, no first-run UI, /tmp instead of a small /dev/shm. */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
]);

const INSTALL_ADVICE = 'install one (apt-get install -y chromium-headless-shell chromium) or set PROWEB_CHROMIUM to a Chromium/Chrome binary';

/**
 * Chooses the Chromium to run, never downloading anything.
 *
 * Order: `PROWEB_CHROMIUM` if set (it must exist); else a Playwright-managed build if installed
 * (for headless runs Playwright uses its separate headless shell, used when present);
 * else Debian's headless shell for headless runs, Debian's chromium for both.
 * A headed run cannot use a headless shell.
 *
 * @param options.exists - test seam; defaults to "is an executable file".
 * @throws {@link BrowserNotFound} with install instructions.
 */
export function findBrowser(options: {
  headed: boolean;
  env?: NodeJS.ProcessEnv;
  exists?: (path: string) => boolean;
}): BrowserChoice {
  const env = options.env ?? process.env;
  const exists = options.exists ?? isExecutable;

  const chosen = env.PROWEB_CHROMIUM;
  if (chosen !== undefined && chosen !== '') {
    if (!exists(chosen)) {
      throw new BrowserNotFound(
        `PROWEB_CHROMIUM=${chosen} does not exist or is not executable`,
        'Point PROWEB_CHROMIUM at a Chromium/Chrome binary, or unset it to use the one found automatically.',
      );
    }
    return { executablePath: chosen, source: 'PROWEB_CHROMIUM' };
  }

  const managed = playwrightManaged();
  if (managed !== undefined) {
    const headlessShell = managed.headlessShell;
    if (!options.headed && headlessShell !== undefined && exists(headlessShell)) return { executablePath: undefined, source: 'playwright' };
    if (options.headed && exists(managed.chromium)) return { executablePath: undefined, source: 'playwright' };
    // Installed with --no-shell: Playwright would look for the missing shell, so name the full build explicitly.
    if (!options.headed && exists(managed.chromium)) return { executablePath: managed.chromium, source: 'playwright' };
  }

  if (!options.headed && exists(DEBIAN_HEADLESS_SHELL)) return { executablePath: DEBIAN_HEADLESS_SHELL, source: 'debian-headless-shell' };
  if (exists(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, source: 'debian-chromium' };

  throw new BrowserNotFound(
    options.headed
      ? `no Chromium able to show windows found (looked for Playwright's build and ${DEBIAN_CHROMIUM}; a headless shell cannot run headed): ${INSTALL_ADVICE}`
      : `no Chromium found (looked for Playwright's build, ${DEBIAN_HEADLESS_SHELL} and ${DEBIAN_CHROMIUM}): ${INSTALL_ADVICE}`,
    'scripts/setup.sh installs both on Debian-like systems. proweb never downloads browsers.',
  );
}

/**
 * Finds a browser with {@link findBrowser} and launches it with {@link CHROMIUM_ARGS}.
 * The caller owns the browser and must `close()` it.
 */
export async function launchBrowser(options: { headed?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<{ browser: Browser; choice: BrowserChoice }> {
  const headed = options.headed ?? false;
  const choice = findBrowser({ headed, env: options.env ?? process.env });
  const browser = await chromium.launch({
    headless: !headed,
    args: [...CHROMIUM_ARGS],
    ...(choice.executablePath !== undefined ? { executablePath: choice.executablePath } : {}),
  });
  return { browser, choice };
}

/**
 * Playwright's own builds (installed or not). Only the full Chromium path is public API;
 * the headless shell sits beside it, laid out as playwright-core's registry does:
 * `<registry>/chromium-<rev>/chrome-linux64/chrome` and
 * `<registry>/chromium_headless_shell-<rev>/chrome-headless-shell-linux64/chrome-headless-shell`.
 */
function playwrightManaged(): { chromium: string; headlessShell: string | undefined } | undefined {
  let full: string;
  try {
    // Pure path computation (honours PLAYWRIGHT_BROWSERS_PATH from process.env); it does not touch the disk.
    full = chromium.executablePath();
  } catch {
    return undefined;
  }
  if (full === '') return undefined;
  const parts = full.split(sep);
  const buildIndex = parts.findIndex((part) => /^chromium-\d+$/.test(part));
  const platformDir = parts[buildIndex + 1];
  if (buildIndex < 0 || platformDir === undefined || !platformDir.startsWith('chrome-')) return { chromium: full, headlessShell: undefined };
  const revision = parts[buildIndex]!.slice('chromium-'.length);
  const headlessShell = join(
    parts.slice(0, buildIndex).join(sep) || sep,
    `chromium_headless_shell-${revision}`,
    platformDir.replace(/^chrome-/, 'chrome-headless-shell-'),
    process.platform === 'win32' ? 'chrome-headless-shell.exe' : 'chrome-headless-shell',
  );
  return { chromium: full, headlessShell };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}
