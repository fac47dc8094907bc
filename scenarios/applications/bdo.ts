import { button, css, defineApplication, defineFlow, label, link, optional, personal, type Flow, type Value } from '../dsl/index.ts';
import { assuranceMaladieLogin } from './assurance-maladie-login.ts';

/**
 * BDO (base des bénéficiaires): insured persons, the dependants covered through
 * their rights, and the beneficiary records of those who have their own.
 * Sessions expire after inactivity.
 */
export const bdo = defineApplication({
  id: 'bdo',
  title: 'BDO — Base des bénéficiaires',
  loginPath: '/bdo/connexion',
  ...assuranceMaladieLogin,
  screens: {
    accueil: {
      path: '/bdo/accueil',
      elements: {
        rechercheAssure: link("Recherche d'un assuré"),
        rechercheBeneficiaire: link("Recherche d'un bénéficiaire"),
      },
    },
    dossierAssure: {
      path: '/bdo/assures?nir={nir}',
      elements: {
        nir: personal(label("NIR de l'assuré")),
        rechercher: button('Rechercher'),
        /** "Refus : aucun assuré ne correspond au NIR …", or a malformed NIR. */
        erreur: optional(personal(css('.message.refus, .message.erreur'))),
        fiche: optional(personal(css('#fiche-assure'))),
        ayantsDroit: optional(personal(css('#ayants-droit'))),
        /** The beneficiary reference on a dependant's row, by NIR: present only once the dependant is autonomised. */
        referenceAyantDroit: optional(css('#ayants-droit tr[data-nir="{nir}"] td.reference')),
      },
    },
    detachement: {
      path: '/bdo/detachement?assure={assure}&ayant_droit={ayantDroit}',
      elements: {
        recapitulatif: personal(css('#recapitulatif-ayant-droit')),
        motif: label('Motif du détachement'),
        dateEffet: label("Date d'effet"),
        confirmer: button('Confirmer le détachement'),
        /**
         * "Refus : …": a minor, a dependant of another insured, a record that exists.
         * Form errors (`.message.erreur`: token used or expired) are technical, not refusals.
         */
        refus: optional(personal(css('.message.refus'))),
      },
    },
    creationBeneficiaire: {
      path: '/bdo/beneficiaires/nouveau?assure={assure}&ayant_droit={ayantDroit}',
      elements: {
        /**
         * "Ayant droit détaché de l'assuré …": shown only right after a detachment.
         * It is a role="status" message like the confirmation's, so it never stands for success.
         */
        detachementEffectue: optional(personal(css('.message.info'))),
        nir: personal(label('NIR')),
        /** Prefilled, read-only: the robot never types them, but they are on screen. */
        nom: personal(label('Nom')),
        prenom: personal(label('Prénom')),
        dateNaissance: personal(label('Date de naissance')),
        adresse: personal(label('Adresse')),
        codePostal: personal(label('Code postal')),
        commune: personal(label('Commune')),
        regime: label('Régime'),
        dateEffet: label("Date d'effet"),
        creer: button('Créer le bénéficiaire'),
        /**
         * "Refus : …", the application's business refusal: the only answer to a commit that
         * rejects the dossier. A form error (`.message.erreur`: token used or expired) after
         * the click is "outcome unknown", and the next attempt's guard decides.
         */
        refus: optional(personal(css('.message.refus'))),
      },
    },
    confirmationBeneficiaire: {
      elements: {
        /** Only on the confirmation page: the creation form's status message is not a success. */
        reference: css('#reference-beneficiaire'),
        /** The new beneficiary's NIR, name, birth date and address. */
        recapitulatif: personal(css('#recapitulatif-beneficiaire')),
      },
    },
  },
});

/**
 * Opens an insured person's record by NIR; an unknown or malformed NIR ends the
 * dossier rejected in the BDO's words. Shared by every BDO scenario.
 */
export const searchInsured = <Row>(nir: Value<Row, {}>): Flow<Row> =>
  defineFlow('search insured', bdo, (s) => s
    .open('dossierAssure', { nir }, { note: "open the insured's record" })
    .rejectIf('dossierAssure.erreur', { note: 'unknown insured' })
    .expect('dossierAssure.fiche'));
