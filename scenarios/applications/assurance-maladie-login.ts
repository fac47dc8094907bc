import { button, css, label, link, type LoginDefinition } from '../dsl/index.ts';

/**
 * The login form the network's applications share (Progrès, ameli pro, GRH, IJ, BDO):
 * "Identifiant", "Mot de passe", "Se connecter", an error in `.message.erreur`, and a
 * "Déconnexion" link once in. Described once: an application whose login changes
 * gets its own block instead.
 */
export const assuranceMaladieLogin: LoginDefinition = {
  loginSteps: (s) => s
    .fill(label('Identifiant'), (c) => c.username)
    .fill(label('Mot de passe'), (c) => c.password)
    .click(button('Se connecter')),
  loginPage: css('#form-connexion'),
  loggedIn: link('Déconnexion'),
  loginError: css('.message.erreur'),
};
