import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The runner ships some functions to the page as their source. The robot runs under tsx, whose
 * keepNames makes a named inner function call a `__name` helper the page does not have: such a
 * function would fail on every page (vitest's own transform does not do it, so only a run under
 * tsx shows it).
 */
describe('code the runner ships to the page', () => {
  it('calls no helper of the tsx transform', async () => {
    const script = `
      const dom = await import('./runner/page-dom.ts');
      const probe = await import('./runner/page-probe.ts');
      const click = await import('./runner/page-click.ts');
      const typing = await import('./runner/page-typing.ts');
      const batch = await import('./runner/fill-batch.ts');
      const shipped = {
        DOM_IN_PAGE: dom.DOM_IN_PAGE, FIND_IN_PAGE: probe.FIND_IN_PAGE, PROBE_IN_PAGE: probe.PROBE_IN_PAGE, FIND_AND_PRESS: click.FIND_AND_PRESS,
        PRESS_ELEMENT: click.PRESS_ELEMENT, TYPE_INTO_ELEMENT: typing.TYPE_INTO_ELEMENT, APPLY_FIELDS: batch.APPLY_FIELDS,
      };
      console.log(JSON.stringify(Object.fromEntries(Object.entries(shipped).map(([name, f]) => [name, /__name|__publicField|__require/.test(String(f))]))));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
    expect(JSON.parse(stdout)).toEqual({
      DOM_IN_PAGE: false, FIND_IN_PAGE: false, PROBE_IN_PAGE: false, FIND_AND_PRESS: false, PRESS_ELEMENT: false, TYPE_INTO_ELEMENT: false, APPLY_FIELDS: false,
    });
  });
});
