import { describe, expect, it } from 'vitest';
import { ScenarioDefinitionError } from '../../../core/errors.ts';
import { ameliPro } from '../../../scenarios/applications/ameli-pro.ts';
import { assuranceMaladieLogin } from '../../../scenarios/applications/assurance-maladie-login.ts';
import { bdo } from '../../../scenarios/applications/bdo.ts';
import { grh } from '../../../scenarios/applications/grh.ts';
import { ij } from '../../../scenarios/applications/ij.ts';
import { progres } from '../../../scenarios/applications/progres.ts';
import { button, css, defineApplication, elementParams, fillTarget, label, placeholdersOf, type ScreenElement, type ScreenMap } from '../../../scenarios/dsl/index.ts';

const app = (elements: Record<string, ScreenElement>) =>
  defineApplication({ id: 'demo', title: 'Demo', loginPath: '/login', ...assuranceMaladieLogin, screens: { fiche: { path: '/fiche', elements } } });

/** Parameterised elements: their placeholders, and the values a dossier puts in them. */
describe('parameterised elements', () => {
  it('have the placeholders of their selector, label or name, each once', () => {
    expect(placeholdersOf('/a?x={x}&y={y}&again={x}')).toEqual(['x', 'y']);
    expect(elementParams(css('#p tr[data-dispositif="{dispositif}"][data-periode="{periode}"] .reference'))).toEqual(['dispositif', 'periode']);
    expect(elementParams(label('Salaire du mois {mois}'))).toEqual(['mois']);
    expect(elementParams(button('Valider'))).toEqual([]);
  });

  it('fill a quoted attribute value with quotes, backslashes and line breaks escaped', () => {
    expect(fillTarget(css('tr[data-nom="{nom}"] a'), { nom: `D'ARC "JEANNE" \\ LA` }).css).toBe(`tr[data-nom="D\\'ARC \\"JEANNE\\" \\\\ LA"] a`);
    expect(fillTarget(css("tr[data-nom='{nom}']"), { nom: 'a\nb' }).css).toBe("tr[data-nom='a\\a b']");
    // A brace that is no placeholder, or one without a value, stays as it is.
    expect(fillTarget(css('a[title="{x}"][data-y="{y}"]'), { x: '1' }).css).toBe('a[title="1"][data-y="{y}"]');
  });

  it('in a CSS selector, stand inside a quoted attribute value, or the application does not load', () => {
    // Outside one, a value would be escaped as an identifier (`#\\31 85...` for a NIR), which the scrubber does not recognise.
    for (const [selector, names] of [
      ['#detach-{rang}', '{rang}'],
      ['tr[data-nir={nir}] td', '{nir}'],
      ['tr:has-text("{nom}")', '{nom}'],
      ['tr[data-a="x"] .{c}, #{id}', '{c}, {id}'],
    ] as const) {
      expect(() => app({ ligne: css(selector) }), selector)
        .toThrow(`application demo: screen fiche, element ligne: css ${selector}: ${names} must stand inside a quoted attribute value, as in [data-x=`);
    }
    expect(() => app({ ligne: css('#detach-{rang}') })).toThrow(ScenarioDefinitionError);
    expect(app({ ligne: css(`tr[data-nom='{nom}'][data-x="a\\"]{b}"] td`), autre: css('#p tr[data-p="{p}"]') }).id).toBe('demo');
  });

  it('outside a quoted attribute value, are never filled (a target that bypassed the loader)', () => {
    expect(() => fillTarget(css('#{id} td'), { id: '1850575123456' })).toThrow('css #{id} td: {id} is outside a quoted attribute value');
    expect(() => fillTarget(css('#{id} td'), { id: '1850575123456' })).not.toThrow(/1850575123456|31 85/);
  });

  it('of the seed applications all stand in quoted attribute values: a NIR filled stays in clear, for the scrubber', () => {
    const nir = '185057512345678';
    const filled = [progres, ij, grh, bdo, ameliPro].flatMap((application) => Object.values(application.screens as ScreenMap))
      .flatMap(({ elements }) => Object.values(elements))
      .filter((element) => element.by === 'css' && elementParams(element).length > 0)
      .map((element) => (fillTarget(element, Object.fromEntries(elementParams(element).map((p) => [p, nir]))) as { css: string }).css);
    expect(filled.length).toBeGreaterThanOrEqual(8);
    for (const selector of filled) expect(selector).toContain(`"${nir}"`);
  });

  it('fill labels and names as plain text, and keep the element’s flags', () => {
    expect(fillTarget({ ...label('Salaire du mois {mois}'), optional: true }, { mois: '2' })).toEqual({ by: 'label', label: 'Salaire du mois 2', exact: true, optional: true });
    expect(fillTarget(button('Payer {periode}'), { periode: 'P"1' }).name).toBe('Payer P"1');
  });
});
