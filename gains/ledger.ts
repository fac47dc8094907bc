import type { Redis } from 'ioredis';
import { scrubText } from '../core/personal-data.ts';
import { DEFAULT_PREFIX } from '../core/redis-keys.ts';
import { finishedWithin } from './period.ts';
import { ledgerEntrySchema, type DossierStatus, type LedgerEntry } from './ledger-entry.ts';

/**
 * Records each dossier once, atomically. A dossier done is done for good, whatever
 * the campaign: this, not the queue, is what tells that a dossier must not be entered
 * again. A rejection or a final failure is recorded once per campaign, so that a
 * corrected file can be resubmitted.
 */
const RECORD = `
local done = redis.call('HGET', KEYS[1], ARGV[1])
if done then return {0, done} end
if ARGV[2] == 'done' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
elseif redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then
  return {0, false}
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
redis.call('XADD', KEYS[4], '*', 'e', ARGV[3])
if ARGV[2] == 'done' then redis.call('HDEL', KEYS[5], ARGV[1]) else redis.call('HSET', KEYS[5], ARGV[1], ARGV[3]) end
return {1, false}
`;

/** How far a robot machine's clock may be ahead of Redis's. */
const CLOCK_SKEW_MARGIN_MS = 15 * 60_000;

/** What the ledger remembers of a dossier done. */
export interface DoneRecord {
  reference: string;
  campaignId: string;
  finishedAt: string;
}

export interface LedgerOptions {
  /** Key namespace, shared with the queue's deployment. @defaultValue '{proweb}' */
  prefix?: string;
}

export type CampaignCounts = Record<DossierStatus, number>;

/** The gain ledger, kept in the same Redis as the queue. It does not own the connection. */
export class Ledger {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: LedgerOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
  }

  private key(...parts: string[]): string {
    return [this.prefix, 'ledger', ...parts].join(':');
  }

  /**
   * Records a finished dossier, its reason masked. Returns `recorded: false` (and writes
   * nothing) when the dossier was already recorded done, or already recorded for this campaign.
   */
  async record(entry: LedgerEntry): Promise<{ recorded: boolean; done?: DoneRecord }> {
    const parsed = ledgerEntrySchema.parse(entry);
    // The ledger is kept for years and exported: it holds no personal data. The worker masks a
    // dossier's own values before; the patterns (NIR, IBAN, e-mail, telephone) are masked here
    // again, whoever writes.
    const valid = parsed.reason === undefined ? parsed : { ...parsed, reason: scrubText(parsed.reason) };
    const summary: DoneRecord = { reference: valid.reference ?? '', campaignId: valid.campaignId, finishedAt: valid.finishedAt };
    const [recorded, existing] = (await this.redis.eval(
      RECORD,
      5,
      this.key('done', valid.scenarioId),
      this.key('campaign', valid.campaignId, 'dossiers'),
      this.key('campaign', valid.campaignId, 'counts'),
      this.key('entries'),
      this.key('campaign', valid.campaignId, 'worklist'),
      valid.dossierId,
      valid.status,
      JSON.stringify(valid),
      JSON.stringify(summary),
    )) as [number, string | null];
    return recorded === 1 ? { recorded: true } : { recorded: false, ...(existing ? { done: JSON.parse(existing) as DoneRecord } : {}) };
  }

  /**
   * Raises the alarm on a dossier entered again although the ledger had it done under
   * `recordedReference`: the application may hold it twice. Kept per campaign, with both
   * references, for `campaign status` and the people who check.
   */
  async flagPossibleDuplicate(entry: LedgerEntry, recordedReference: string): Promise<void> {
    const valid = ledgerEntrySchema.parse(entry);
    await this.redis
      .multi()
      .hincrby(this.key('campaign', valid.campaignId, 'counts'), 'possibleDuplicate', 1)
      .hset(this.key('campaign', valid.campaignId, 'duplicates'), valid.dossierId, JSON.stringify({ ...valid, recordedReference }))
      .exec();
  }

  /** How many dossiers of the campaign may have been entered twice (see {@link flagPossibleDuplicate}). */
  async possibleDuplicates(campaignId: string): Promise<number> {
    return Number((await this.redis.hget(this.key('campaign', campaignId, 'counts'), 'possibleDuplicate')) ?? 0);
  }

  /** The dossiers among `dossierIds` already done, with what was recorded. */
  async doneAmong(scenarioId: string, dossierIds: readonly string[]): Promise<Map<string, DoneRecord>> {
    const found = new Map<string, DoneRecord>();
    if (dossierIds.length === 0) return found;
    const values = await this.redis.hmget(this.key('done', scenarioId), ...dossierIds);
    values.forEach((v, i) => {
      if (v) found.set(dossierIds[i]!, JSON.parse(v) as DoneRecord);
    });
    return found;
  }

  /** Dossiers of a campaign by final status. */
  async campaignCounts(campaignId: string): Promise<CampaignCounts> {
    const raw = await this.redis.hgetall(this.key('campaign', campaignId, 'counts'));
    return { done: Number(raw.done ?? 0), rejected: Number(raw.rejected ?? 0), failed: Number(raw.failed ?? 0) };
  }

  /**
   * The campaign's dossiers rejected or failed for good, as recorded: the people's work
   * list, read without going through the whole ledger. `undefined` for a campaign
   * recorded before the ledger kept it (read its entries instead).
   */
  async campaignWorkList(campaignId: string): Promise<LedgerEntry[] | undefined> {
    const key = this.key('campaign', campaignId, 'worklist');
    if ((await this.redis.exists(key)) === 0) {
      const counts = await this.campaignCounts(campaignId);
      return counts.rejected + counts.failed === 0 ? [] : undefined;
    }
    const list: LedgerEntry[] = [];
    let cursor = '0';
    do {
      const [next, fields] = await this.redis.hscan(key, cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 1; i < fields.length; i += 2) list.push(ledgerEntrySchema.parse(JSON.parse(fields[i]!)));
    } while (cursor !== '0');
    return list.sort((a, b) => (a.rowNumber ?? 0) - (b.rowNumber ?? 0));
  }

  /** Every entry, oldest first, optionally within [from, to) on `finishedAt`; read in pages. */
  async *entries(range: { from?: Date; to?: Date } = {}): AsyncGenerator<LedgerEntry> {
    // Stream ids are the times entries were written, never before their `finishedAt` but for
    // the clock difference between a robot machine and Redis: start a margin before `from`.
    let start = range.from ? String(Math.max(0, range.from.getTime() - CLOCK_SKEW_MARGIN_MS)) : '-';
    for (;;) {
      const page = await this.redis.xrange(this.key('entries'), start, '+', 'COUNT', 1000);
      for (const [id, fields] of page) {
        start = `(${id}`;
        const entry = ledgerEntrySchema.parse(JSON.parse(fields[1] ?? '{}'));
        if (finishedWithin(entry, range)) yield entry;
      }
      if (page.length < 1000) return;
    }
  }
}
