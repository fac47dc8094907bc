import { button, css, defineApplication, label, link, optional, personal, role } from '../dsl/index.ts';
import { assuranceMaladieLogin } from './assurance-maladie-login.ts';

/**
 * GRH (gestion des ressources humaines et de la paie): the caisse's HR and payroll
 * application, where variable payroll items (éléments variables de paie, EVP)
 * such as the 2020 Covid bonus are entered. Sessions expire after inactivity.
 */
export const grh = defineApplication({
  id: 'grh',
  title: 'GRH — Gestion des ressources humaines et de la paie',
  loginPath: '/grh/connexion',
  ...assuranceMaladieLogin,
  screens: {
    accueil: {
      path: '/grh/accueil',
      elements: {
        rechercheAgent: link("Recherche d'un agent"),
        saisieEvp: link("Saisie d'un élément variable de paie"),
        evpDuJour: link('Éléments variables saisis du jour'),
      },
    },
    ficheAgent: {
      path: '/grh/agents?matricule={matricule}',
      elements: {
        matricule: personal(label('Matricule')),
        rechercher: button('Rechercher'),
        /** "Aucun agent ne correspond au matricule …", or a matricule that is not 6 digits. */
        erreur: optional(personal(role('alert'))),
        fiche: optional(personal(css('#fiche-agent'))),
        /** "En activité" or "Sorti des effectifs". */
        situation: optional(css('#agent-statut')),
        sortiDesEffectifs: optional(css('#agent-statut:text-is("Sorti des effectifs")')),
        /** The agent's pay items: personal, like the record. */
        elementsVariables: optional(personal(css('#elements-variables'))),
        /** The agent's 2020 Covid bonus, already entered (by a payroll officer or an earlier run). */
        primeCovid: optional(css('#elements-variables tr[data-rubrique^="PCV"][data-mois^="2020-"]')),
        referencePrimeCovid: optional(css('#elements-variables tr[data-rubrique^="PCV"][data-mois^="2020-"] td.reference')),
        saisirElement: optional(link('Saisir un élément variable')),
      },
    },
    saisieEvp: {
      path: '/grh/evp/nouveau?matricule={matricule}',
      elements: {
        matricule: personal(label('Matricule')),
        rubrique: label('Rubrique'),
        montant: personal(label('Montant (€)')),
        mois: label('Mois de paie'),
        motif: label('Motif'),
        enregistrer: button('Enregistrer'),
        /**
         * "Refus : …", the application's business refusal: the only answer to a commit that
         * rejects the dossier. A form error (`.message.erreur`: token used or expired) after
         * the click is "outcome unknown", and the next attempt's guard decides.
         */
        refus: optional(personal(css('.message.refus'))),
      },
    },
    confirmationEvp: {
      elements: {
        reference: css('#reference-evp'),
        /** The agent's matricule and name, the amount. */
        recapitulatif: personal(css('#recapitulatif-evp')),
      },
    },
  },
});
