import { z } from 'zod';
import { ScenarioDefinitionError } from '../../core/errors.ts';
import { Steps, type LoginSteps } from './builder.ts';
import { ScreenIndex, validateScreens, type ScreenMap } from './screens.ts';
import type { Step } from './steps.ts';
import type { Target } from './targets.ts';
import { validateSteps } from './validate.ts';

/** What the robot types on a login form; comes from configuration, never from a scenario. */
export interface Credentials {
  username: string;
  password: string;
}

/** How an application's login works: described once, often shared by several applications. */
export interface LoginDefinition {
  /**
   * Fills and submits the login form, values from the credentials:
   * `(s) => s.fill(label('Identifiant'), (c) => c.username)...`. The login page has no screen
   * map: these steps name their targets directly.
   */
  loginSteps: (steps: LoginSteps<Credentials>) => LoginSteps<Credentials>;
  /** Only on the login page: how the robot notices that its session expired. */
  loginPage: Target;
  /** Only once logged in. */
  loggedIn: Target;
  /** The message shown when the credentials are refused. */
  loginError?: Target;
}

/** An application as its author writes it (see {@link defineApplication}). */
export interface ApplicationSpec<S extends ScreenMap> extends LoginDefinition {
  id: string;
  title: string;
  /** The login form's path, relative to the application's base URL. */
  loginPath: string;
  /** The application's screens, shared by every scenario that uses it. */
  screens?: S;
}

/**
 * A back-office application as the robot sees it: how to log in and how to tell its
 * login page and error page apart. Where it lives (base URL) and who logs in are
 * configuration, so one definition serves every caisse. `S` is its screen map's own type,
 * from which scenarios get their element references.
 */
export interface ApplicationDefinition<S extends ScreenMap = ScreenMap> {
  readonly id: string;
  readonly title: string;
  readonly loginPath: string;
  /** The login form's steps, as data. */
  readonly loginSteps: readonly Step<Credentials>[];
  readonly loginPage: Target;
  readonly loggedIn: Target;
  readonly loginError?: Target;
  readonly screens: S;
}

const applicationShape = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  title: z.string().min(1),
  loginPath: z.string().startsWith('/'),
  loginSteps: z.custom<unknown>((v) => typeof v === 'function', 'must be a function of the step builder: (s) => s.fill(label(...), (c) => c.username)...'),
  loginPage: z.object({ by: z.string() }).loose(),
  loggedIn: z.object({ by: z.string() }).loose(),
});

/**
 * Declares an application; checks its shape now so a mistake shows before any browser starts.
 * Its screens keep their literal types: scenarios that use it get their element references
 * (`screen.element`) and parameters checked by the compiler.
 */
export function defineApplication<const S extends ScreenMap = {}>(definition: ApplicationSpec<S>): ApplicationDefinition<S> {
  const parsed = applicationShape.safeParse(definition);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScenarioDefinitionError(`application ${String(definition?.id)}`, `${issue?.path.join('.')}: ${issue?.message}`);
  }
  const owner = `application ${definition.id}`;
  const screens = (definition.screens ?? {}) as S;
  validateScreens(owner, screens);
  const loginSteps = definition.loginSteps(new Steps([], new ScreenIndex([]))).list;
  validateSteps(owner, loginSteps, { screens: new ScreenIndex([]), directTargets: true });
  return Object.freeze({ ...definition, screens, loginSteps });
}
