import { describe, expect, it } from 'vitest';
import { ScenarioDefinitionError } from '../../../core/errors.ts';
import { autonomisationAyantsDroit } from '../../../scenarios/autonomisation-ayants-droit.ts';
import { css, defineApplication, label, optional, personal, ScreenIndex, type ScreenElement } from '../../../scenarios/dsl/index.ts';
import { dipaPayment } from '../../../scenarios/dipa-payment.ts';
import { assuranceMaladieLogin } from '../../../scenarios/applications/assurance-maladie-login.ts';

const app = (elements: Record<string, ScreenElement>) =>
  defineApplication({ id: 'demo', title: 'Demo', loginPath: '/login', ...assuranceMaladieLogin, screens: { fiche: { path: '/fiche', elements } } });

describe('personal elements of a screen map', () => {
  it('are marked with personal(), alone or with optional(), and listed for evidence', () => {
    const screens = new ScreenIndex([app({ nir: personal(label('NIR')), fiche: optional(personal(css('#fiche'))), rechercher: css('#go') })]);
    expect(screens.personalElements()).toEqual([
      { by: 'label', label: 'NIR', exact: true, personal: true, ref: 'fiche.nir', application: 'demo', params: [] },
      { by: 'css', css: '#fiche', personal: true, optional: true, ref: 'fiche.fiche', application: 'demo', params: [] },
    ]);
  });

  it('cannot be parameterised: evidence masks them on any page, without a dossier’s values', () => {
    expect(() => app({ ligne: personal(css('tr[data-nir="{nir}"]')) })).toThrow(/screen fiche, element ligne: a parameterised element cannot be personal/);
  });

  it('refuse a flag that is not true or false, naming the element', () => {
    expect(() => app({ nir: { ...label('NIR'), personal: 'yes' } as unknown as ScreenElement })).toThrow(ScenarioDefinitionError);
    expect(() => app({ nir: { ...label('NIR'), personal: 'yes' } as unknown as ScreenElement })).toThrow(/screen fiche, element nir: personal must be true or false/);
  });

  it('cover what the seed scenarios show of a person: the BDO record, the dependants, the IBAN field', () => {
    const refs = (s: { screens: ScreenIndex }) => s.screens.personalElements().map((e) => e.ref);
    expect(refs(autonomisationAyantsDroit)).toEqual(expect.arrayContaining([
      'dossierAssure.nir', 'dossierAssure.erreur', 'dossierAssure.fiche', 'dossierAssure.ayantsDroit', 'detachement.recapitulatif',
      'creationBeneficiaire.nir', 'creationBeneficiaire.nom', 'creationBeneficiaire.prenom', 'creationBeneficiaire.adresse', 'confirmationBeneficiaire.recapitulatif',
    ]));
    expect(refs(dipaPayment)).toEqual(expect.arrayContaining(['paiement.iban', 'fichePs.fiche', 'confirmationPaiement.recapitulatif']));
  });
});
