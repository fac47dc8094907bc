/**
 * The error hierarchy. The queue decides what to do with a dossier by class:
 * a {@link BusinessRejection} is final (a human must look at it), a
 * {@link TechnicalFailure} is retried with backoff, anything else is a bug.
 */

/** Base class: every proweb error says what went wrong and, in `hint`, what to do. */
export class ProwebError extends Error {
  override name = 'ProwebError';
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Files kept to understand the failure (screenshot, page HTML). */
  evidence: string[] = [];
}

/** Where in a scenario a step failed, so that an error names scenario, step and selector. */
export interface StepLocation {
  scenarioId: string;
  /** 1-based, dotted when nested: `4`, `6.then.2`. */
  stepIndex: string;
  step: string;
  target?: string;
}

/** `dipa-payment step 10 (submit paiement.valider [button "Valider le paiement"])`: how every error names a step. */
export function where(at: StepLocation): string {
  return `${at.scenarioId} step ${at.stepIndex} (${at.step}${at.target ? ` ${at.target}` : ''})`;
}

/**
 * The back office refused the dossier for a business reason (unknown professional,
 * not conventioned, already paid...). Retrying changes nothing: the dossier goes to
 * a human work list with the back office's own words as `reason`.
 */
export class BusinessRejection extends ProwebError {
  override name = 'BusinessRejection';
  constructor(
    readonly reason: string,
    readonly at?: StepLocation,
  ) {
    super(at ? `${where(at)}: rejected by the back office: ${reason}` : `rejected: ${reason}`,
      'Handle the dossier by hand or correct the input row, then resubmit it.');
  }
}

/** A failure of the machinery (screen, network, session): worth retrying with backoff. */
export class TechnicalFailure extends ProwebError {
  override name = 'TechnicalFailure';
}

/** The application sent the robot back to its login page in the middle of a dossier. */
export class SessionExpired extends TechnicalFailure {
  override name = 'SessionExpired';
  constructor(
    readonly application: string,
    readonly at: StepLocation,
  ) {
    super(`${where(at)}: the ${application} session expired`, 'The robot logs in again and restarts the dossier.');
  }
}

/** An element the scenario relies on is not on the screen: the application probably changed. */
export class ScreenChanged extends TechnicalFailure {
  override name = 'ScreenChanged';
  constructor(
    readonly at: StepLocation,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${where(at)}: ${detail}`, 'The screen may have changed: check the selector in the scenario.', options);
  }
}

/** The back office answered with an error page or did not answer in time. */
export class BackOfficeUnavailable extends TechnicalFailure {
  override name = 'BackOfficeUnavailable';
  constructor(
    readonly at: StepLocation,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${where(at)}: ${detail}`, 'The application is down or slow; the dossier will be retried.', options);
  }
}

/**
 * The commit click was sent but its outcome is unknown: a lost connection, an HTTP 5xx, a
 * timeout, a reused form token or a login page after the click. The entry may or may not be
 * in the application: never a refusal. The dossier is retried, and the next attempt's guard
 * decides; the commit claim keeps it from clicking again.
 */
export class OutcomeUnknown extends TechnicalFailure {
  override name = 'OutcomeUnknown';
  constructor(
    /** The application the commit was sent to. */
    readonly application: string,
    readonly at: StepLocation,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${where(at)}: outcome unknown after the commit click in ${application}: ${detail}`, 'The next attempt looks for the entry before anything else; nothing is entered twice.', options);
  }
}

/**
 * An earlier commit click for this dossier may have landed and the application still does not
 * show it once that click could no longer land: only a person can tell. Final, never retried.
 */
export class ManualCheckNeeded extends ProwebError {
  override name = 'ManualCheckNeeded';
  constructor(
    readonly application: string,
    readonly businessKey: string,
    readonly at?: StepLocation,
  ) {
    super(`outcome unknown: check ${application} for ${businessKey}`,
      `An earlier attempt clicked the commit and its answer was lost. Look in ${application}: enter the dossier by hand only if it is not there.`);
  }
}

/**
 * This worker no longer holds the dossier (its queue lock expired or was taken over, e.g. after
 * the process was frozen): another machine has it. Nothing is clicked or recorded here.
 */
export class OwnershipLost extends ProwebError {
  override name = 'OwnershipLost';
  constructor(detail: string) {
    super(`this worker no longer holds the dossier: ${detail}`, 'Nothing to do: the machine that holds it finishes it.');
  }
}

/**
 * The login form was sent but the robot is still not in, and the application said nothing
 * about the credentials: a technical failure (error page, slow answer), retried.
 */
export class LoginFailed extends TechnicalFailure {
  override name = 'LoginFailed';
  constructor(application: string, detail: string) {
    super(`login to ${application} failed: ${detail}`, `Check that ${application} is up; the dossier will be retried.`);
  }
}

/**
 * The application refused the robot's account after its login form (wrong password, locked
 * or expired account), with its own words in `applicationMessage`. Not a technical failure:
 * every further try counts against the account, which locks after 3 to 5. The robot tries no
 * more logins to that application until told to; a fleet pauses the application.
 */
export class LoginRefused extends ProwebError {
  override name = 'LoginRefused';
  constructor(
    readonly application: string,
    readonly applicationMessage: string,
    /** The account refused (a robot account name, not a secret). */
    readonly username: string | undefined,
    /** When the application refused it (ISO): a later dossier told at once keeps the original time. */
    readonly at: string = new Date().toISOString(),
  ) {
    super(`login to ${application} refused${username ? ` for account ${username}` : ''}: ${applicationMessage}`,
      `Fix the credentials of ${username ? `account ${username}` : 'the account'} for ${application} in the configuration (or have the account unlocked), ` +
      `then resume the application: \`proweb application resume ${application}\`.`);
  }
}

/**
 * The scenario's own code failed (a value or condition function threw a TypeError, a computed
 * element reference names nothing in the screen map): a bug to fix in the scenario, the same
 * on every retry and every machine. Final: the dossier goes to a person at once.
 */
export class ScenarioBug extends ProwebError {
  override name = 'ScenarioBug';
  constructor(
    readonly at: StepLocation,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${where(at)}: bug in the scenario: ${detail}`,
      `Fix ${at.scenarioId} at step ${at.stepIndex} (\`proweb try ${at.scenarioId} --row N\` shows it), then submit the file again; retrying would fail the same way.`, options);
  }
}

/** A scenario definition is malformed: found at load time, before any browser starts. */
export class ScenarioDefinitionError extends ProwebError {
  override name = 'ScenarioDefinitionError';
  constructor(scenario: string, detail: string) {
    super(`scenario ${scenario}: ${detail}`, 'Fix the scenario file; nothing was run.');
  }
}

/** An input file cannot be read at all (missing, unreadable, no header). */
export class InputFileError extends ProwebError {
  override name = 'InputFileError';
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${detail}`, 'Check the path and the file format (CSV or XLSX with a header row).', options);
  }
}

/** Configuration is missing or invalid. */
export class ConfigError extends ProwebError {
  override name = 'ConfigError';
}
