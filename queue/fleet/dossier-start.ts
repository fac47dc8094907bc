import type { Redis, Result } from 'ioredis';

/**
 * Everything a worker reads before it runs a dossier, in one script: one round trip instead of
 * one per question, and the answers of one instant. It also takes the attempt's lock.
 *
 * KEYS: the dossier's attempt lock, the campaign's record (when ARGV[3] is 1), the pauses of the
 * scenario's applications (ARGV[5] of them), then the hashes that may hold the dossier's done
 * record, in the order to look in.
 * ARGV: the attempt's token ('' takes no lock), the lock duration (ms), 1 or 0 (a campaign to
 * read), the campaign's state field, the number of pauses, the dossier's done field.
 * Returns {the campaign's state or nil, the done record or nil, {each pause that exists, as HGETALL gives it}}.
 */
const START = `
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
local first = 2
local state = false
if ARGV[3] == '1' then
  state = redis.call('HGET', KEYS[2], ARGV[4])
  first = 3
end
local pauses = {}
local afterPauses = first + tonumber(ARGV[5])
for i = first, afterPauses - 1 do
  local pause = redis.call('HGETALL', KEYS[i])
  if #pause > 0 then pauses[#pauses + 1] = pause end
end
local done = false
for i = afterPauses, #KEYS do
  done = redis.call('HGET', KEYS[i], ARGV[6])
  if done then break end
end
return {state, done, pauses}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    prowebDossierStart(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<[string | null, string | null, string[][]], Context>;
  }
}

/** Loads the script as a named command (EVALSHA after the first call), once per connection. */
function withCommands(redis: Redis): Redis {
  if (typeof (redis as Partial<Redis>).prowebDossierStart !== 'function') redis.defineCommand('prowebDossierStart', { lua: START });
  return redis;
}

/** What to read before a dossier, each part given by the module that owns its keys. */
export interface DossierStartReads<State, Pause, Done> {
  /** The attempt's lock to take (see `AttemptLocks`), when the job came with a token. */
  attempt: { key: string; token: string | undefined; durationMs: number };
  /** The campaign's state (`CampaignRegistry.stateLookup`); none: every campaign is active. */
  campaign?: { key: string; field: string; read(value: string | null): State } | undefined;
  /** The pauses of the applications the scenario needs (`ApplicationPauses.pausesLookup`). */
  pauses: { keys: readonly string[]; read(flat: readonly string[]): Pause | undefined };
  /** Where the dossier's done record may be (`Ledger.doneLookup`). */
  done: { keys: readonly string[]; field: string; read(stored: string): Done };
}

/** The answers, read at one instant. */
export interface DossierStart<State, Pause, Done> {
  /** Absent when no campaign was read. */
  campaign?: State;
  /** The applications paused now among those asked. */
  paused: Pause[];
  /** The dossier's done record, if the ledger has one. */
  done: Done | undefined;
}

/**
 * Takes the attempt's lock and reads the campaign's state, the pauses and the done record, in
 * one round trip. Read-only but for the lock: the ledger's record script still refuses a
 * second `done` whatever was read here.
 */
export async function readDossierStart<State, Pause, Done>(redis: Redis, reads: DossierStartReads<State, Pause, Done>): Promise<DossierStart<State, Pause, Done>> {
  const { attempt, campaign, pauses, done } = reads;
  const keys = [attempt.key, ...(campaign ? [campaign.key] : []), ...pauses.keys, ...done.keys];
  const [state, record, paused] = await withCommands(redis).prowebDossierStart(
    keys.length, ...keys,
    attempt.token ?? '', attempt.durationMs, campaign ? 1 : 0, campaign?.field ?? '', pauses.keys.length, done.field,
  );
  return {
    ...(campaign ? { campaign: campaign.read(state) } : {}),
    paused: paused.flatMap((flat) => pauses.read(flat) ?? []),
    done: record === null ? undefined : done.read(record),
  };
}
