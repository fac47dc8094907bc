import { button, css, defineApplication, label, link, optional, personal, role } from '../dsl/index.ts';
import { assuranceMaladieLogin } from './assurance-maladie-login.ts';

/**
 * ameli pro, caisse side: the DIPA requests filed by health professionals and the
 * forfaits structure due to them. The robot only reads here; payments are entered
 * in Progrès. Sessions expire after inactivity, as in Progrès.
 */
export const ameliPro = defineApplication({
  id: 'ameli-pro',
  title: 'ameli pro — Espace caisse (demandes DIPA, forfaits des professionnels de santé)',
  loginPath: '/amelipro/connexion',
  ...assuranceMaladieLogin,
  screens: {
    /** Where a login lands. */
    demandesDipa: {
      path: '/amelipro/dipa/demandes',
      elements: {
        menuForfaits: link('Forfaits des professionnels de santé'),
        /** The requests with each professional's number and name. */
        demandes: personal(css('#demandes-dipa')),
      },
    },
    forfaits: {
      path: '/amelipro/forfaits?ps={ps}',
      elements: {
        ps: personal(label('Numéro PS')),
        rechercher: button('Rechercher'),
        /** "Aucun professionnel de santé ne correspond…", "Aucun forfait structure n'est ouvert…", or a bad number. */
        erreur: optional(personal(role('alert'))),
        identite: optional(personal(css('#identite-ps'))),
        /** The forfait structure 2020 row (the only year ameli pro shows). */
        forfait: optional(css('#forfaits tr[data-forfait="FS"][data-annee="2020"]')),
        /** `FS-2020-000017` */
        numeroForfait: optional(css('#forfaits tr[data-forfait="FS"][data-annee="2020"] td.numero-forfait')),
        /** Display format, `1 108,33 €`: the only amount Progrès accepts. */
        montantDu: optional(css('#forfaits tr[data-forfait="FS"][data-annee="2020"] td.montant-du')),
        /** `À payer`, or `Payé` once Progrès holds the payment. */
        statut: optional(css('#forfaits tr[data-forfait="FS"][data-annee="2020"] td.statut')),
      },
    },
  },
});
