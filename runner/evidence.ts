import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright';

/**
 * Keeps what a human needs to understand a failure: a full-page screenshot and the
 * page's HTML. Never throws: evidence must not hide the failure it documents.
 */
export async function keepEvidence(page: Page, dir: string, name: string): Promise<string[]> {
  const kept: string[] = [];
  try {
    await mkdir(dir, { recursive: true });
    const base = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5_000 });
    kept.push(`${base}.png`);
    await writeFile(`${base}.html`, await page.content());
    kept.push(`${base}.html`);
  } catch {
    // A closed or crashed page leaves nothing to keep; the error itself still says what failed.
  }
  return kept;
}
