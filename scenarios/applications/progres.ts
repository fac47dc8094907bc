import { button, css, defineApplication, label, link, steps } from '../dsl/index.ts';

/**
 * Progrès (Production et gestion des remboursements de santé): the payment tool.
 * Sessions expire after inactivity, so the robot must recognise its login page.
 */
export const progres = defineApplication({
  id: 'progres',
  title: 'Progrès — Production et gestion des remboursements de santé',
  loginPath: '/progres/connexion',
  loginSteps: [
    steps.fill(label('Identifiant'), ({ row }) => row.username),
    steps.fill(label('Mot de passe'), ({ row }) => row.password),
    steps.click(button('Se connecter')),
  ],
  loginPage: css('#form-connexion'),
  loggedIn: link('Déconnexion'),
  loginError: css('.message.erreur'),
});
