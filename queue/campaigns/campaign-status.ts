import type { Queue } from 'bullmq';
import type { Ledger } from '../../gains/index.ts';
import type { ApplicationPause } from '../fleet/application-pauses.ts';
import type { CampaignJobStates, CampaignRecord, CampaignRegistry, CampaignState } from './campaign-registry.ts';

/** Why there is no estimated end. */
export type NoEstimate = 'no-dossier-ended' | 'paused' | 'cancelled' | 'finished';

/** Where a campaign stands: its record, its dossiers by state, and when it should end. */
export interface CampaignStatus {
  campaign: CampaignRecord;
  /** The state it is told to be in, or `finished` when nothing is left to run. */
  state: CampaignState | 'finished';
  /** The input file is still being read: more dossiers may come. */
  reading: boolean;
  counts: {
    waiting: number;
    delayed: CampaignJobStates['delayed'];
    active: number;
    /** From the ledger (authoritative): the dossiers this campaign recorded. */
    done: number;
    rejected: number;
    failed: number;
    /** Removed from the queue by the cancellation, or dropped by a worker after it. */
    cancelled: number;
    /** Entered again although the ledger had them done: the application may hold them twice. */
    possibleDuplicates: number;
  };
  /** Dossiers still to run: waiting, delayed and active. */
  remaining: number;
  /** Dossiers that ended in the queue (a dry run records nothing in the ledger, but ends too). */
  ended: number;
  /** Dossiers ended per hour since the first one started. */
  ratePerHour?: number;
  /** ISO time at which the remaining dossiers should have ended at the rate seen so far. */
  estimatedEnd?: string;
  /** Set when there is no estimate. */
  noEstimate?: NoEstimate;
  /** Applications the campaign needs that a refused login paused: its dossiers wait for them. */
  pausedApplications: ApplicationPause[];
}

export interface CampaignStatusOptions {
  registry: CampaignRegistry;
  /** The campaign scenario's queue. */
  queue: Queue;
  ledger: Ledger;
  campaignId: string;
  /** @defaultValue now */
  now?: Date;
  /** The pauses in force among the applications the campaign's scenario needs. @defaultValue none */
  pausedApplications?: readonly ApplicationPause[];
}

/**
 * The status of a campaign: queue states counted over its job set, final outcomes
 * from the ledger, and an estimated end from the rate observed since it started.
 * @throws {@link CampaignNotFound}
 */
export async function campaignStatus(options: CampaignStatusOptions): Promise<CampaignStatus> {
  const now = (options.now ?? new Date()).getTime();
  const campaign = await options.registry.get(options.campaignId);
  const [jobs, outcomes, possibleDuplicates] = await Promise.all([
    options.registry.jobStates(campaign.id, options.queue, now),
    options.ledger.campaignCounts(campaign.id),
    options.ledger.possibleDuplicates(campaign.id),
  ]);
  const delayed = jobs.delayed.notBefore + jobs.delayed.paused + jobs.delayed.retrying;
  const remaining = jobs.waiting + delayed + jobs.active;
  const reading = campaign.reading === true;
  const state = campaign.state !== 'cancelled' && !reading && remaining === 0 ? 'finished' : campaign.state;
  const status: CampaignStatus = {
    campaign,
    state,
    reading,
    counts: {
      waiting: jobs.waiting, delayed: jobs.delayed, active: jobs.active,
      done: outcomes.done, rejected: outcomes.rejected, failed: outcomes.failed,
      cancelled: (campaign.cancelled ?? 0) + jobs.discarded,
      possibleDuplicates,
    },
    remaining,
    // Jobs no longer in the queue are ended ones trimmed by BullMQ, or cancelled ones it removed.
    ended: Math.max(0, jobs.ended - (campaign.cancelled ?? 0)),
    pausedApplications: [...(options.pausedApplications ?? [])],
  };
  // While an application it needs is paused, its delayed dossiers are parked (a retry that comes
  // due is parked in turn), and no end can be estimated.
  const applicationPaused = status.pausedApplications.length > 0 && state !== 'finished' && state !== 'cancelled';
  if (applicationPaused) status.counts.delayed = { ...jobs.delayed, paused: jobs.delayed.paused + jobs.delayed.retrying, retrying: 0 };
  // A worker sets startedAt; before one does, the campaign could not start before its submission or not-before time.
  const startedAt = campaign.startedAt ?? maxIso(campaign.submittedAt, campaign.notBefore);
  const elapsedMs = now - Date.parse(startedAt);
  if (status.ended > 0 && elapsedMs > 0) status.ratePerHour = (status.ended / elapsedMs) * 3600_000;

  if (state === 'finished' || state === 'cancelled') status.noEstimate = state;
  else if (state === 'paused' || applicationPaused) status.noEstimate = 'paused';
  else if (!status.ratePerHour) status.noEstimate = 'no-dossier-ended';
  else status.estimatedEnd = new Date(now + (remaining / status.ratePerHour) * 3600_000).toISOString();
  return status;
}

const maxIso = (a: string, b: string | undefined) => (b && Date.parse(b) > Date.parse(a) ? b : a);
