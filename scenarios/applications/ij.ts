import { button, css, defineApplication, label, link, optional, personal, role, typed } from '../dsl/index.ts';
import { assuranceMaladieLogin } from './assurance-maladie-login.ts';

/**
 * IJ (indemnités journalières): the daily-allowance application, where a sick leave
 * is entered as a PRN record from the employer's salary statement. Same login and
 * messages as Progrès; sessions expire after inactivity.
 */
export const ij = defineApplication({
  id: 'ij',
  title: 'IJ — Indemnités journalières',
  loginPath: '/ij/connexion',
  ...assuranceMaladieLogin,
  screens: {
    accueil: {
      path: '/ij/accueil',
      elements: {
        rechercheAssure: link("Recherche d'un assuré"),
        saisiePrn: link("Saisie d'une prestation PRN"),
      },
    },
    ficheAssure: {
      path: '/ij/assure?nir={nir}',
      elements: {
        nir: personal(label('NIR')),
        rechercher: button('Rechercher'),
        /** "Aucun assuré ne correspond à ce NIR.", or a NIR with a bad key. */
        erreur: optional(role('alert')),
        fiche: optional(personal(css('#fiche-assure'))),
        /** "Droits ouverts" or "Droits fermés". */
        droits: optional(css('#droits')),
        droitsFermes: optional(css('#droits:text-is("Droits fermés")')),
        /** PRN records of the insured (history and entries), one row per leave with `data-debut`. */
        prestations: optional(personal(css('#prestations-assure'))),
        /** The insured's PRN record starting on `{debut}` (ISO; history or entry): what the guard looks for. */
        prestation: optional(css('table#prestations-assure tr[data-debut="{debut}"]')),
        referencePrestation: optional(css('table#prestations-assure tr[data-debut="{debut}"] td.reference')),
        saisirPrestation: optional(link('Saisir une prestation')),
      },
    },
    saisiePrestation: {
      path: '/ij/prestation/nouveau?nir={nir}',
      elements: {
        nir: personal(label('NIR')),
        /**
         * An autocomplete: typed key by key, it asks IJ for the employers whose SIRET starts
         * with what was typed; only a choice in the list ({@link employeurSuggere}) fills the
         * hidden field the server reads ("Choisissez l'employeur dans la liste." otherwise).
         */
        siret: typed(label("SIRET de l'employeur")),
        /** IJ's answer to the SIRET typed: the employers it suggests, or its "no employer" line. */
        reponseEmployeur: optional(css('#choix-employeur [role="option"], #choix-employeur .aucun-resultat')),
        /** A suggested employer (`data-siret` holds its SIRET). */
        employeurSuggere: optional(role('option')),
        /** "Aucun employeur connu ne correspond à « … ».": IJ does not know the employer. */
        aucunEmployeur: optional(css('#choix-employeur .aucun-resultat')),
        /** The chosen employer's name, `data-siret` its SIRET: shown once one is chosen in the list. */
        employeurChoisi: optional(css('#employeur-choisi[data-siret]')),
        /** The suggestion for the employer of SIRET `{siret}` in the autocomplete list: the one to choose. */
        optionEmployeur: optional(css('#choix-employeur [role="option"][data-siret="{siret}"]')),
        /** The employer shown as chosen, when it is the one of SIRET `{siret}`. */
        employeurChoisiSiret: optional(css('#employeur-choisi[data-siret="{siret}"]')),
        /**
         * A sick leave's dates and reason are health data. The dates are text fields under an
         * input mask (jj/mm/aaaa) that only sees keys pressed: a value set at once is erased.
         */
        debut: personal(typed(label("Date de début de l'arrêt"))),
        fin: personal(typed(label("Date de fin de l'arrêt"))),
        natureCovid: label('Arrêt lié à la COVID-19'),
        natureHorsCovid: label('Arrêt hors COVID-19'),
        motif: personal(label('Motif COVID')),
        salaire1: personal(label('Salaire mois 1 (€)')),
        salaire2: personal(label('Salaire mois 2 (€)')),
        salaire3: personal(label('Salaire mois 3 (€)')),
        subrogation: label("Subrogation (maintien de salaire par l'employeur)"),
        valider: button('Valider la saisie'),
        /**
         * "Refus : …", the application's business refusal: the only answer to a commit that
         * rejects the dossier. A form error (`.message.erreur`: token used or expired) after
         * the click is "outcome unknown", and the next attempt's guard decides.
         */
        refus: optional(personal(css('.message.refus'))),
      },
    },
    confirmationPrestation: {
      elements: {
        reference: css('#reference-prestation'),
        ijJournaliere: css('#ij-journaliere'),
        /** NIR, name, leave, salaries: the whole record. */
        recapitulatif: personal(css('#recapitulatif-prestation')),
      },
    },
  },
});

