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
}

/** Where in a scenario a step failed, so that an error names scenario, step and selector. */
export interface StepLocation {
  scenarioId: string;
  /** 1-based, dotted when nested: `4`, `6.then.2`. */
  stepIndex: string;
  step: string;
  target?: string;
}

function where(at: StepLocation): string {
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
  /** Files kept to understand the failure (screenshot, page HTML). */
  evidence: string[] = [];
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

/** Login did not succeed (wrong credentials, locked account): retrying will not help the next dossiers either. */
export class LoginFailed extends TechnicalFailure {
  override name = 'LoginFailed';
  constructor(application: string, detail: string) {
    super(`login to ${application} failed: ${detail}`, `Check the credentials configured for ${application}.`);
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
