export { Robot, type RunOptions } from './robot.ts';
export type { StepEvent } from './dossier.ts';
export type { DossierOutcome } from './outcome.ts';
export { applicationEndpointSchema, robotOptionsSchema, type ApplicationEndpoint, type RobotOptions, type RobotOptionsInput } from './options.ts';
export { findBrowser, launchBrowser, CHROMIUM_ARGS, BrowserNotFound, type BrowserChoice } from './browser.ts';
