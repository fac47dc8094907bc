import { scrubText } from '../core/personal-data.ts';
import type { ApplicationPause } from '../queue/fleet/application-pauses.ts';
import { formatParisDateTime } from './paris-time.ts';

/** What an operator does about a pause: the account to fix, then the command that resumes. */
export function applicationPauseFix(pause: ApplicationPause): string {
  const account = pause.username ? `the credentials of ${pause.username}` : `the credentials of the ${pause.applicationId} account`;
  return `fix ${account} in the configuration, then run \`proweb application resume ${pause.applicationId}\``;
}

/**
 * One paused application, for a person: which, why (the application's words, the account,
 * the machine, when) and what to do. Times are Paris times.
 */
export function applicationPauseText(pause: ApplicationPause): string {
  const account = pause.username ? ` of account ${pause.username}` : '';
  return `application ${pause.applicationId} paused for the whole fleet: it refused the login${account} from ${pause.machine} ` +
    `at ${formatParisDateTime(pause.at)} ("${scrubText(pause.reason)}"); its dossiers wait. To do: ${applicationPauseFix(pause)}.`;
}

/** The paused applications as a block of lines (for `machines`, `campaign status` and `application list`); empty when none. */
export function applicationPausesBlock(pauses: readonly ApplicationPause[]): string {
  if (pauses.length === 0) return '';
  return `${pauses.length === 1 ? 'Paused application' : 'Paused applications'}:\n${pauses.map((p) => `  ${applicationPauseText(p)}\n`).join('')}`;
}
