import { button, css, label, link, steps, type ApplicationDefinition, type Credentials } from '../dsl/index.ts';

/**
 * The login form the network's applications share (Progrès, ameli pro, GRH, IJ, BDO):
 * "Identifiant", "Mot de passe", "Se connecter", an error in `.message.erreur`, and a
 * "Déconnexion" link once in. Described once: an application whose login changes
 * gets its own block instead.
 */
export const assuranceMaladieLogin: Pick<ApplicationDefinition, 'loginSteps' | 'loginPage' | 'loggedIn' | 'loginError'> = {
  loginSteps: [
    steps.fill<Credentials>(label('Identifiant'), ({ row }) => row.username),
    steps.fill<Credentials>(label('Mot de passe'), ({ row }) => row.password),
    steps.click(button('Se connecter')),
  ],
  loginPage: css('#form-connexion'),
  loggedIn: link('Déconnexion'),
  loginError: css('.message.erreur'),
};
