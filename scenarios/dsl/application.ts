import { z } from 'zod';
import { ScenarioDefinitionError } from '../../core/errors.ts';
import { ScreenIndex, validateScreens, type ScreenMap } from './screens.ts';
import type { Step } from './steps.ts';
import type { Target } from './targets.ts';
import { validateSteps } from './validate.ts';

/** What the robot types on a login form; comes from configuration, never from a scenario. */
export interface Credentials {
  username: string;
  password: string;
}

/**
 * A back-office application as the robot sees it: how to log in and how to tell its
 * login page and error page apart. Where it lives (base URL) and who logs in are
 * configuration, so one definition serves every caisse.
 */
export interface ApplicationDefinition {
  id: string;
  title: string;
  /** The login form's path, relative to the application's base URL. */
  loginPath: string;
  /** Fills and submits the login form (values come from the credentials). */
  loginSteps: readonly Step<Credentials>[];
  /** Only on the login page: how the robot notices that its session expired. */
  loginPage: Target;
  /** Only once logged in. */
  loggedIn: Target;
  /** The message shown when the credentials are refused. */
  loginError?: Target;
  /** The application's screens, shared by every scenario that uses it. */
  screens?: ScreenMap;
}

const applicationShape = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  title: z.string().min(1),
  loginPath: z.string().startsWith('/'),
  loginSteps: z.array(z.unknown()).min(1),
  loginPage: z.object({ by: z.string() }).loose(),
  loggedIn: z.object({ by: z.string() }).loose(),
});

/** Declares an application; checks its shape now so a mistake shows before any browser starts. */
export function defineApplication(definition: ApplicationDefinition): ApplicationDefinition {
  const parsed = applicationShape.safeParse(definition);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScenarioDefinitionError(`application ${String(definition?.id)}`, `${issue?.path.join('.')}: ${issue?.message}`);
  }
  const owner = `application ${definition.id}`;
  validateScreens(owner, definition.screens ?? {});
  validateSteps(owner, definition.loginSteps, { applications: new Set(), screens: new ScreenIndex([]), tables: new Set() });
  return Object.freeze({ ...definition });
}
