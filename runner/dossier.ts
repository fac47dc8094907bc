import type { Page } from 'playwright';
import { BackOfficeUnavailable, BusinessRejection, ConfigError, SessionExpired, type StepLocation } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ApplicationDefinition, Scenario, Step, StepContext, TargetOf } from '../scenarios/dsl/index.ts';
import { locate, resolveTarget } from './locate.ts';
import type { ApplicationEndpoint } from './options.ts';
import type { DossierOutcome } from './outcome.ts';
import type { Slot } from './slot.ts';
import { explainFailure, locationOf, performPageStep, resolveValue } from './step-actions.ts';

type Finished = Omit<Extract<DossierOutcome, { status: 'done' }>, 'robotMs'>;

/** Everything a dossier run needs besides its row. */
export interface DossierEnv<Row extends Record<string, unknown>> {
  slot: Slot;
  scenario: Scenario<Row>;
  endpoints: Readonly<Record<string, ApplicationEndpoint>>;
  defaultTimeoutMs: number;
  logger?: Logger;
}

/**
 * Runs a scenario's steps for one dossier on one slot. Returns the `done` outcome,
 * throws {@link BusinessRejection} when the back office refuses, and a technical
 * failure for anything else.
 */
export async function runDossierSteps<Row extends Record<string, unknown>>(env: DossierEnv<Row>, row: Row): Promise<Finished> {
  const { slot, scenario } = env;
  const page = await slot.page();
  const vars: Record<string, string> = {};
  const ctx: StepContext<Row> = { row, vars };
  let application: ApplicationDefinition | undefined;

  const textOf = async (target: TargetOf<Row>, timeoutMs: number) =>
    (await locate(page, resolveTarget(target, ctx)).first().textContent({ timeout: timeoutMs }))?.replace(/\s+/g, ' ').trim() ?? '';
  const isShown = (target: TargetOf<Row>) => locate(page, resolveTarget(target, ctx)).first().isVisible();

  for (const [index, step] of scenario.steps.entries()) {
    const at = locationOf(scenario.id, index, step, ctx);
    const timeoutMs = step.timeoutMs ?? scenario.timeoutMs ?? env.defaultTimeoutMs;
    const started = performance.now();
    try {
      switch (step.action) {
        case 'goto':
          application = await goto(env, page, step, ctx, at, timeoutMs);
          break;
        case 'rejectIf':
          if (await isShown(step.when)) throw new BusinessRejection(await textOf(step.reason ?? step.when, timeoutMs), at);
          break;
        case 'guard':
          if (await isShown(step.found)) return { status: 'done', reference: await textOf(step.reference, timeoutMs), alreadyEntered: true };
          break;
        case 'submit': {
          await locate(page, resolveTarget(step.target, ctx)).click({ timeout: timeoutMs });
          await page.waitForLoadState('load', { timeout: timeoutMs });
          await checkLanding(slot, page, application, at);
          const success = locate(page, resolveTarget(step.success, ctx));
          await success.or(locate(page, resolveTarget(step.refusal, ctx))).first().waitFor({ state: 'visible', timeout: timeoutMs });
          if (await success.first().isVisible()) return { status: 'done', reference: await textOf(step.reference, timeoutMs), alreadyEntered: false };
          throw new BusinessRejection(await textOf(step.refusal, timeoutMs), at);
        }
        default: {
          const extracted = await performPageStep(page, step, ctx, at, timeoutMs);
          if (extracted) vars[extracted.name] = extracted.value;
          if (step.action === 'click') await checkLanding(slot, page, application, at);
        }
      }
    } catch (error) {
      throw explainFailure(error, at, timeoutMs);
    } finally {
      env.logger?.debug({ step: index + 1, action: at.step, ms: Math.round(performance.now() - started) }, 'step');
    }
  }
  throw new ConfigError(`scenario ${scenario.id} ended without a submit or guard giving a reference`, 'End the scenario with a submit step.');
}

async function goto<Row extends Record<string, unknown>>(
  env: DossierEnv<Row>,
  page: Page,
  step: Extract<Step<Row>, { action: 'goto' }>,
  ctx: StepContext<Row>,
  at: StepLocation,
  timeoutMs: number,
): Promise<ApplicationDefinition> {
  const app = env.scenario.applications.find((a) => a.id === step.application);
  const endpoint = env.endpoints[step.application];
  if (!app || !endpoint) {
    throw new ConfigError(`no endpoint configured for application "${step.application}"`, 'Add its baseUrl, username and password to the configuration.');
  }
  if (!env.slot.isLoggedIn(app.id)) await env.slot.login(app, endpoint, timeoutMs);
  const url = endpoint.baseUrl + resolveValue(step.path, ctx);
  await page.goto(url, { timeout: timeoutMs });
  try {
    await checkLanding(env.slot, page, app, at);
  } catch (error) {
    if (!(error instanceof SessionExpired)) throw error;
    // The session timed out between two dossiers: the usual case, not a failure.
    await env.slot.login(app, endpoint, timeoutMs);
    await page.goto(url, { timeout: timeoutMs });
    await checkLanding(env.slot, page, app, at);
  }
  return app;
}

/** After a navigation: did the application fail, drop the connection or send us back to its login page? */
async function checkLanding(slot: Slot, page: Page, app: ApplicationDefinition | undefined, at: StepLocation): Promise<void> {
  if (page.url().startsWith('chrome-error://')) throw new BackOfficeUnavailable(at, 'the connection to the application was lost');
  if (slot.lastDocumentStatus >= 500) throw new BackOfficeUnavailable(at, `the application answered HTTP ${slot.lastDocumentStatus}`);
  if (app && (await locate(page, app.loginPage).first().isVisible())) {
    slot.forgetLogin(app.id);
    throw new SessionExpired(app.id, at);
  }
}
