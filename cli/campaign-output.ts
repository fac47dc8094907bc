import { basename } from 'node:path';
import { scrubText } from '../core/personal-data.ts';
import { formatInvalidRow } from '../input/index.ts';
import type { CampaignSubmission } from '../queue/campaigns/campaign.ts';
import type { CampaignResult } from '../queue/campaigns/run-campaign.ts';

/** Rows refused before the queue, each with file, row, field and reason. */
export function invalidRowsText(submission: CampaignSubmission): string {
  if (submission.invalid.length === 0) return '';
  return [
    `Invalid rows (${submission.invalidRows}, not queued):`,
    // A problem quotes the cell it refuses (a NIR with a wrong key, an IBAN): masked on a terminal and in journald.
    ...submission.invalid.map((p) => `  ${scrubText(formatInvalidRow(p))}`),
    ...(submission.rejectionFile ? [`  written to ${submission.rejectionFile}: correct them there and resubmit that file`] : []),
    '',
  ].join('\n');
}

/** Dossiers the back office refused or that failed for good: the human work list. */
export function rejectionsText(result: CampaignResult): string {
  const lines = result.finished
    .filter((f) => f.status !== 'done')
    .sort((a, b) => a.rowNumber - b.rowNumber)
    .map((f) => `  ${basename(result.submission.file)} row ${f.rowNumber}: ${f.status}: ${scrubText(f.reason ?? '')}`);
  return lines.length === 0 ? '' : [`Rejected or failed dossiers (${lines.length}, for a human):`, ...lines, ''].join('\n');
}

/** One block summing up the campaign. */
export function summaryText(result: CampaignResult): string {
  const s = result.submission;
  const count = (status: string) => result.finished.filter((f) => f.status === status).length;
  const done = count('done');
  const seconds = result.elapsedMs / 1000;
  return [
    `Campaign ${s.campaignId}: ${s.scenarioId} × ${basename(s.file)} × ${s.caisse}`,
    `  rows read           ${s.rows}`,
    `  invalid (not queued) ${s.invalidRows}`,
    `  already done before ${s.alreadyDone}`,
    `  already in queue    ${s.alreadyQueued}`,
    `  queued              ${s.jobIds.length}`,
    `  done                ${done}`,
    `  rejected            ${count('rejected')}`,
    `  failed              ${count('failed')}`,
    `  time                ${seconds.toFixed(1)} s (${(result.finished.length / Math.max(seconds, 0.001)).toFixed(1)} dossiers/s)`,
    '',
  ].join('\n');
}
