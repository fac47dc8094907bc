import { describe, expect, it } from 'vitest';
import { button, css, elementParams, fillTarget, label, placeholdersOf } from '../../../scenarios/dsl/index.ts';

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

  it('fill a placeholder outside quotes as a CSS identifier: a leading digit and punctuation escaped', () => {
    expect(fillTarget(css('#detach-{rang}'), { rang: 'P1' }).css).toBe('#detach-P1');
    expect(fillTarget(css('#{id} td'), { id: '12' }).css).toBe('#\\31 2 td');
    expect(fillTarget(css('.{c}'), { c: 'a.b#c' }).css).toBe('.a\\.b\\#c');
  });

  it('fill labels and names as plain text, and keep the element’s flags', () => {
    expect(fillTarget({ ...label('Salaire du mois {mois}'), optional: true }, { mois: '2' })).toEqual({ by: 'label', label: 'Salaire du mois 2', exact: true, optional: true });
    expect(fillTarget(button('Payer {periode}'), { periode: 'P"1' }).name).toBe('Payer P"1');
  });
});
