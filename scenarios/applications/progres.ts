import { button, css, defineApplication, label, link, optional, personal, role } from '../dsl/index.ts';
import { assuranceMaladieLogin } from './assurance-maladie-login.ts';

/**
 * Progrès (Production et gestion des remboursements de santé): the payment tool.
 * Sessions expire after inactivity, so the robot must recognise its login page.
 * A PS number names a person (the professional): it is marked personal with names and IBANs.
 */
export const progres = defineApplication({
  id: 'progres',
  title: 'Progrès — Production et gestion des remboursements de santé',
  loginPath: '/progres/connexion',
  ...assuranceMaladieLogin,
  screens: {
    accueil: {
      path: '/progres/accueil',
      elements: {
        recherchePs: link("Recherche d'un professionnel de santé"),
        saisiePaiement: link("Saisie d'un paiement"),
      },
    },
    fichePs: {
      path: '/progres/ps?numero={numero}',
      elements: {
        numero: personal(label('Numéro PS')),
        rechercher: button('Rechercher'),
        /** "Aucun professionnel de santé ne correspond…", or a bad number. */
        erreur: optional(personal(role('alert'))),
        fiche: optional(personal(css('#fiche-ps'))),
        paiements: optional(css('#paiements-ps')),
        /** The payment of a scheme (`DIPA`, `FS`) for a period (`P1`): what a guard looks for. */
        paiement: optional(css('#paiements-ps tr[data-dispositif="{dispositif}"][data-periode="{periode}"]')),
        referencePaiement: optional(css('#paiements-ps tr[data-dispositif="{dispositif}"][data-periode="{periode}"] .reference')),
        /** The payment of a scheme for a year (`FS`, `2020`). */
        paiementAnnee: optional(css('#paiements-ps tr[data-dispositif="{dispositif}"][data-annee="{annee}"]')),
        referencePaiementAnnee: optional(css('#paiements-ps tr[data-dispositif="{dispositif}"][data-annee="{annee}"] .reference')),
        /** The payee reference Progrès holds for the professional. */
        referenceBeneficiaire: optional(css('#reference-beneficiaire')),
        saisirPaiement: optional(link('Saisir un paiement')),
      },
    },
    paiement: {
      path: '/progres/paiement/nouveau?ps={ps}',
      elements: {
        ps: personal(label('Numéro PS')),
        dispositif: label('Dispositif'),
        montant: label('Montant (€)'),
        reglement: label('Mode de règlement'),
        iban: personal(label('IBAN')),
        beneficiaire: personal(label('Référence bénéficiaire')),
        motif: label('Motif'),
        valider: button('Valider le paiement'),
        /**
         * "Refus : …", the application's business refusal: the only answer to a commit that
         * rejects the dossier. A form error (`.message.erreur`: token used or expired) after
         * the click is "outcome unknown", and the next attempt's guard decides.
         */
        refus: optional(personal(css('.message.refus'))),
      },
    },
    confirmationPaiement: {
      elements: {
        reference: css('#reference-paiement'),
        /** The professional's number and name, the IBAN (masked by Progrès but for its ends). */
        recapitulatif: personal(css('#recapitulatif-paiement')),
      },
    },
  },
});

