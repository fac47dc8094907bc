import { basename } from 'node:path';
import type { CampaignRecord } from '../queue/campaigns/campaign-registry.ts';
import type { CampaignStatus } from '../queue/campaigns/campaign-status.ts';
import { formatParisDateTime } from './paris-time.ts';

const NO_ESTIMATE: Record<NonNullable<CampaignStatus['noEstimate']>, string> = {
  'no-dossier-ended': 'unknown (no dossier has ended yet)',
  paused: 'unknown (paused)',
  cancelled: 'none (cancelled)',
  finished: 'none (finished)',
};

const rate = (perHour: number) => (perHour >= 10 ? Math.round(perHour).toString() : perHour.toFixed(1));

/** `proweb campaign status`, for a person. Times are Paris times. */
export function campaignStatusText(status: CampaignStatus, now = new Date()): string {
  const c = status.campaign;
  const d = status.counts.delayed;
  const delayed = d.notBefore + d.paused + d.retrying;
  const estimate = status.estimatedEnd
    ? `${formatParisDateTime(status.estimatedEnd)} (${status.remaining} dossiers left at ${rate(status.ratePerHour!)} an hour)`
    : NO_ESTIMATE[status.noEstimate ?? 'no-dossier-ended'];
  const notBefore = c.notBefore ? `${formatParisDateTime(c.notBefore)}${Date.parse(c.notBefore) <= now.getTime() ? ' (passed)' : ''}` : undefined;
  return [
    `Campaign ${c.id}: ${c.scenarioId} v${c.scenarioVersion} × ${basename(c.file)} × ${c.caisse}${c.dryRun ? ' (dry run)' : ''}`,
    `  file           ${c.file}`,
    `  submitted at   ${formatParisDateTime(c.submittedAt)}${c.machine ? ` from ${c.machine}` : ''}`,
    ...(notBefore ? [`  not before     ${notBefore}`] : []),
    ...(c.priority ? [`  priority       ${c.priority}`] : []),
    ...(c.startedAt ? [`  started at     ${formatParisDateTime(c.startedAt)}`] : []),
    `  state          ${status.state}${status.reading ? ' (the file is still being read)' : ''}`,
    `  rows read      ${c.rows} (${c.invalidRows} invalid, ${c.alreadyDone} already done, ${c.alreadyQueued} already in queue, ${c.queued} queued)`,
    `  waiting        ${status.counts.waiting}`,
    `  delayed        ${delayed} (not before ${d.notBefore}, paused ${d.paused}, retrying ${d.retrying})`,
    `  active         ${status.counts.active}`,
    `  done           ${status.counts.done}`,
    `  rejected       ${status.counts.rejected}`,
    `  failed         ${status.counts.failed}`,
    `  cancelled      ${status.counts.cancelled}`,
    ...(status.counts.possibleDuplicates > 0
      ? [`  POSSIBLE DUPLICATES ${status.counts.possibleDuplicates}: entered again although already done; check the application (the ledger keeps both references)`]
      : []),
    ...(c.dryRun ? [`  ended          ${status.ended} (a dry run records nothing in the ledger)`] : []),
    `  estimated end  ${estimate}`,
    '',
  ].join('\n');
}

/** `proweb campaign list`: one line a campaign, newest first. */
export function campaignListText(campaigns: readonly { campaign: CampaignRecord; state: string }[]): string {
  if (campaigns.length === 0) return 'No campaign in this Redis (with this prefix).\n';
  const rows = campaigns.map(({ campaign: c, state }) => [
    c.id, formatParisDateTime(c.submittedAt), state, c.scenarioId, String(c.queued), basename(c.file), c.caisse,
  ]);
  const header = ['id', 'submitted', 'state', 'scenario', 'queued', 'file', 'caisse'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
