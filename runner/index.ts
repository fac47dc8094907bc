export { Robot, type RunOptions, type ScreenReport } from './robot.ts';
export type { StepEvent, ScreenElementCheck } from './dossier.ts';
export type { DossierOutcome } from './outcome.ts';
export { applicationEndpointSchema, robotOptionsSchema, type ApplicationEndpoint, type RobotOptions, type RobotOptionsInput } from './options.ts';
export { findBrowser, launchBrowser, CHROMIUM_ARGS, BrowserNotFound, type BrowserChoice } from './browser.ts';
export type { LoginRefusal } from './login-gate.ts';
export type { CommitClaim, CommitGate, CommitRequest } from './commit-gate.ts';
