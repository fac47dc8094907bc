import type { Redis } from 'ioredis';
import type { LedgerEntry } from './ledger-entry.ts';
import type { Period } from './period.ts';
import type { GainFigures } from './report.ts';

/**
 * Gain rollups: what the report adds up, per day × scenario × caisse × machine × status,
 * kept as dossiers finish by the ledger's own script, so that a report reads a number of
 * hashes that grows with days and groups, never with dossiers.
 *
 * Two levels, a hash per UTC day of `finishedAt` and one per month (what a report over whole
 * months reads: a year is 12), each in three hashes:
 * - by machine: field `scenario␟caisse␟machine␟status`, what a report by machine reads;
 * - by group: field `scenario␟caisse␟status`, the same figures without the machine (a few
 *   hundred fields a month whatever the fleet), what the other reports read;
 * - machines: field `scenario␟caisse`, the machines that finished a dossier of it, `a,b,c`,
 *   for the report's count of machines in each group;
 * - machine rows, a month's only: field `machine␟status`, the rows of a report by machine (a
 *   fifth of the by-machine fields: a machine runs several scenarios a month, one a day, so that
 *   a day's by-machine hash is as small and serves). Rollups written before it lack it: a reader
 *   finds its totals short of the by-group hash's, and reads by machine.
 * Figures are `dossiers manual rework robotMs`, minutes in thousandths so that Redis adds
 * integers (exact to 2^53). Rework counts only for a dossier failed, as in the report.
 */

/** The rollup keys of a ledger, all under its prefix (one script touches them with the entry's). */
export interface RollupKeys {
  /** The by-machine hash of a day (`2020-03-15`). */
  day(day: string): string;
  /** The by-machine hash of a month (`2020-03`). */
  month(month: string): string;
  /** The by-group or machines hash of a day or a month, or the machine rows of a month. */
  of(kind: 'groups' | 'machines' | 'machine-rows', unit: 'day' | 'month', date: string): string;
  /** A set of the months that have a rollup: what a report with an open start reads. */
  months: string;
  /** The stream id of the first entry the recording script rolled up (the entries before it are migrated). */
  rolledFrom: string;
  /** The last stream id of an earlier entry migrated into the rollups. */
  migrated: string;
}

export const rollupKeys = (key: (...parts: string[]) => string): RollupKeys => ({
  day: (day) => key('rollup', 'day', day),
  month: (month) => key('rollup', 'month', month),
  of: (kind, unit, date) => key('rollup', `${unit}-${kind}`, date),
  months: key('rollup', 'months'),
  rolledFrom: key('rollup', 'from'),
  migrated: key('rollup', 'migrated'),
});

const SEPARATOR = '\u001f';

/**
 * Lua: adds a group's figures to a rollup hash field. Lua numbers are doubles, `%d` prints
 * them whole up to 2^53.
 */
export const ROLL_UP_LUA = `
local function rollUp(key, field, n, manual, rework, robot)
  local v = redis.call('HGET', key, field)
  if v then
    local a, b, c, d = string.match(v, '^(%d+) (%d+) (%d+) (%d+)$')
    n = n + tonumber(a)
    manual = manual + tonumber(b)
    rework = rework + tonumber(c)
    robot = robot + tonumber(d)
  end
  redis.call('HSET', key, field, string.format('%d %d %d %d', n, manual, rework, robot))
end
local function addMachine(key, field, machine)
  local v = redis.call('HGET', key, field)
  if not v then
    redis.call('HSET', key, field, machine)
  elseif not string.find(',' .. v .. ',', ',' .. machine .. ',', 1, true) then
    redis.call('HSET', key, field, v .. ',' .. machine)
  end
end
`;

/** An entry's place and figures in the rollups, as the scripts take them. */
export interface RollupArgs {
  day: string;
  month: string;
  field: string;
  /** The field without the machine. */
  groupField: string;
  /** The field of the machine rows hash. */
  machineField: string;
  /** The field of the machines hash, and the machine (no comma: they are listed with commas). */
  pairField: string;
  machine: string;
  dossiers: number;
  manualMilli: number;
  reworkMilli: number;
  robotMs: number;
}

const clean = (text: string) => text.replaceAll(SEPARATOR, ' ');

export function rollupArgsOf(entry: LedgerEntry): RollupArgs {
  return {
    day: entry.finishedAt.slice(0, 10),
    month: entry.finishedAt.slice(0, 7),
    field: [entry.scenarioId, entry.caisse, entry.machine, entry.status].map(clean).join(SEPARATOR),
    groupField: [entry.scenarioId, entry.caisse, entry.status].map(clean).join(SEPARATOR),
    machineField: [entry.machine, entry.status].map(clean).join(SEPARATOR),
    pairField: [entry.scenarioId, entry.caisse].map(clean).join(SEPARATOR),
    machine: clean(entry.machine).replaceAll(',', ' '),
    dossiers: entry.dossiers ?? 1,
    manualMilli: Math.round(entry.manualMinutesSaved * 1000),
    reworkMilli: entry.status === 'failed' ? Math.round((entry.reworkMinutes ?? 0) * 1000) : 0,
    robotMs: entry.robotMs,
  };
}

/** Figures from a rollup value. */
function figuresOf(scenarioId: string, caisse: string, machine: string, status: string, value: string, finishedAt: string): GainFigures {
  return figuresOfSums(scenarioId, caisse, machine, status, value.split(' ').map(Number), finishedAt);
}

/** Figures from the four numbers of a rollup value (or of several added up, {@link addValue}). */
function figuresOfSums(scenarioId: string, caisse: string, machine: string, status: string, [dossiers = 0, manual = 0, rework = 0, robotMs = 0]: number[], finishedAt: string): GainFigures {
  return {
    scenarioId, caisse, machine, status: status as GainFigures['status'], dossiers,
    manualMinutesSaved: manual / 1000, ...(rework > 0 ? { reworkMinutes: rework / 1000 } : {}), robotMs, finishedAt,
  };
}

/** The figures of a rollup hash of `kind`, dated at the start of its day or month. */
function* figuresOfHash(kind: 'groups' | 'machines', hash: Record<string, string>, at: string): Generator<GainFigures> {
  for (const [field, value] of Object.entries(hash)) {
    const parts = field.split(SEPARATOR);
    if (kind === 'groups') {
      yield figuresOf(parts[0] ?? '', parts[1] ?? '', '', parts[2] ?? 'done', value, at);
    } else {
      // No dossier: only the machines of the scenario and caisse, for the count of machines.
      yield { scenarioId: parts[0] ?? '', caisse: parts[1] ?? '', machine: '', machines: value.split(','), status: 'done', dossiers: 0, manualMinutesSaved: 0, robotMs: 0, finishedAt: at };
    }
  }
}

/** Adds a rollup value `dossiers manual rework robotMs` to `sum`. */
function addValue(sum: number[], value: string): void {
  let from = 0;
  for (let i = 0; i < 4; i++) {
    const to = value.indexOf(' ', from);
    sum[i]! += Number(to < 0 ? value.slice(from) : value.slice(from, to));
    from = to + 1;
  }
}

/** The four figures of a rollup hash added up. */
function totalOf(hash: Record<string, string>): string {
  const sum = [0, 0, 0, 0];
  for (const field in hash) addValue(sum, hash[field]!);
  return sum.join(' ');
}

/** A figure of the rows of a report by machine, from its summed figures. */
function machineRow(machine: string, status: string, sum: number[], at: string): GainFigures {
  return { ...figuresOfSums('', '', machine, status, sum, at), only: 'rows' };
}

/** The rows of a report by machine from a machine rows hash, and their figures added up (`totalOf`). */
function machineRowsOf(hash: Record<string, string>, at: string): { rows: GainFigures[]; total: string } {
  const total = [0, 0, 0, 0];
  const rows: GainFigures[] = [];
  for (const field in hash) {
    const sum = [0, 0, 0, 0];
    addValue(sum, hash[field]!);
    for (let i = 0; i < 4; i++) total[i]! += sum[i]!;
    const cut = field.indexOf(SEPARATOR);
    rows.push(machineRow(field.slice(0, cut), field.slice(cut + 1), sum, at));
  }
  return { rows, total: total.join(' ') };
}

/** The rows of a report by machine from a by-machine hash (rollups written before the machine rows), summed per machine and status. */
function* machineRowsOfDetail(hash: Record<string, string>, at: string): Generator<GainFigures> {
  const sums = new Map<string, number[]>();
  for (const field in hash) {
    const parts = field.split(SEPARATOR);
    const key = `${parts[2] ?? ''}${SEPARATOR}${parts[3] ?? 'done'}`;
    let sum = sums.get(key);
    if (!sum) sums.set(key, (sum = [0, 0, 0, 0]));
    addValue(sum, hash[field]!);
  }
  for (const [key, sum] of sums) {
    const [machine = '', status = 'done'] = key.split(SEPARATOR);
    yield machineRow(machine, status, sum, at);
  }
}

const DAY_MS = 86_400_000;

/** Whether the rollups can answer over a period: its bounds fall on UTC midnights. */
export function rollupsCover(period: Period): boolean {
  return [period.from, period.to].every((d) => d === undefined || d.getTime() % DAY_MS === 0);
}

const monthStart = (month: string) => Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1);
const monthEnd = (month: string) => Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1);
const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/**
 * The rollup hashes that make up a period: month hashes for the months it holds whole and no
 * instant of `cuts` splits (the start of a report's period inside its read range), day hashes
 * for the rest.
 */
export async function rollupKeysOver(redis: Redis, keys: RollupKeys, period: Period, cuts: readonly Date[] = []): Promise<{ key: string; at: string; unit: 'day' | 'month' }[]> {
  if (!rollupsCover(period) || cuts.some((c) => !rollupsCover({ from: c }))) throw new RangeError('rollups answer periods of whole UTC days only');
  const from = period.from?.getTime() ?? -Infinity;
  const to = period.to?.getTime() ?? Infinity;
  let months: string[];
  if (period.from && period.to) {
    months = [];
    for (let m = monthOf(from); monthStart(m) < to; m = monthOf(monthEnd(m))) months.push(m);
  } else {
    months = (await redis.smembers(keys.months)).filter((m) => monthEnd(m) > from && monthStart(m) < to).sort();
  }
  const parts: { key: string; at: string; unit: 'day' | 'month' }[] = [];
  for (const m of months) {
    const start = Math.max(from, monthStart(m));
    const end = Math.min(to, monthEnd(m));
    const split = cuts.some((c) => c.getTime() > monthStart(m) && c.getTime() < monthEnd(m));
    if (start === monthStart(m) && end === monthEnd(m) && !split) {
      parts.push({ key: keys.month(m), at: new Date(start).toISOString(), unit: 'month' });
      continue;
    }
    for (let d = start; d < end; d += DAY_MS) {
      const day = new Date(d).toISOString();
      parts.push({ key: keys.day(day.slice(0, 10)), at: day, unit: 'day' });
    }
  }
  return parts;
}

/** Hashes read per round trip. */
const PIPELINE = 64;

/**
 * The rollups over a period of whole days (see {@link rollupsCover}), as figures the report
 * adds up, each dated at the start of its day or month (none straddles a date of `cuts`): a
 * figure per scenario, caisse and status, with figures that list the machines of each scenario
 * and caisse (`machines`), what every report but the rows by machine needs. `byMachine`, for
 * a report by machine only: those figures flagged `others`, and a figure per machine and status
 * flagged `rows`.
 */
export async function* readRollups(redis: Redis, keys: RollupKeys, period: Period = {}, cuts: readonly Date[] = [], options: { byMachine?: boolean } = {}): AsyncGenerator<GainFigures> {
  const byMachine = options.byMachine === true;
  const parts = await rollupKeysOver(redis, keys, period, cuts);
  const others = byMachine ? { only: 'others' as const } : {};
  for (let i = 0; i < parts.length; i += PIPELINE) {
    const slice = parts.slice(i, i + PIPELINE);
    const pipeline = redis.pipeline();
    for (const p of slice) {
      const date = p.at.slice(0, p.unit === 'day' ? 10 : 7);
      pipeline.hgetall(keys.of('groups', p.unit, date)).hgetall(keys.of('machines', p.unit, date));
      // A day's machine rows are its by-machine hash: a machine runs one scenario a day.
      if (byMachine) pipeline.hgetall(p.unit === 'month' ? keys.of('machine-rows', p.unit, date) : p.key);
    }
    const replies = (await pipeline.exec()) ?? [];
    const hashes = replies.map(([error, hash]) => {
      if (error) throw error;
      return hash as Record<string, string>;
    });
    const stride = byMachine ? 3 : 2;
    const older: typeof slice = [];
    for (const [j, p] of slice.entries()) {
      const [groups = {}, machines = {}, rows = {}] = hashes.slice(j * stride, (j + 1) * stride);
      for (const figures of figuresOfHash('groups', groups, p.at)) yield { ...figures, ...others };
      for (const figures of figuresOfHash('machines', machines, p.at)) yield { ...figures, ...others };
      if (!byMachine) continue;
      // Written by the same script: equal totals unless part of it was rolled up before the machine rows.
      if (p.unit === 'day') {
        yield* machineRowsOfDetail(rows, p.at);
        continue;
      }
      const fromRows = machineRowsOf(rows, p.at);
      if (fromRows.total === totalOf(groups)) yield* fromRows.rows;
      else older.push(p);
    }
    if (older.length === 0) continue;
    const again = redis.pipeline();
    for (const p of older) again.hgetall(p.key);
    for (const [j, [error, hash]] of ((await again.exec()) ?? []).entries()) {
      if (error) throw error;
      yield* machineRowsOfDetail(hash as Record<string, string>, older[j]!.at);
    }
  }
}

/**
 * Lua: rolls up a page of entries written before the recording script rolled them up
 * (ledgers older than the rollups), once. KEYS: migrated marker, rolledFrom marker, months set,
 * then the page's rollup hashes. ARGV: the marker expected, then per entry its stream id, the
 * index of its day and month keys, its month, field and figures. Entries at or after
 * rolledFrom are rolled up already and stop the page. Returns how many were rolled up, -1 when
 * another migration moved the marker meanwhile. Per entry (18 ARGV): id, indexes of its six
 * keys (day, month, day groups, month groups, day machines, month machines), month, field,
 * group field, pair field, machine, figures, then the index of its month machine rows key and
 * its machine rows field.
 */
export const MIGRATE_LUA = `${ROLL_UP_LUA}
local function before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, bm = tonumber(am), tonumber(bm)
  return am < bm or (am == bm and tonumber(as) < tonumber(bs))
end
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return -1 end
local limit = redis.call('GET', KEYS[2])
local last = ARGV[1]
local count = 0
for i = 2, #ARGV, 18 do
  local id = ARGV[i]
  if limit and not before(id, limit) then break end
  local n, manual, rework, robot = tonumber(ARGV[i + 12]), tonumber(ARGV[i + 13]), tonumber(ARGV[i + 14]), tonumber(ARGV[i + 15])
  rollUp(KEYS[tonumber(ARGV[i + 1])], ARGV[i + 8], n, manual, rework, robot)
  rollUp(KEYS[tonumber(ARGV[i + 2])], ARGV[i + 8], n, manual, rework, robot)
  rollUp(KEYS[tonumber(ARGV[i + 3])], ARGV[i + 9], n, manual, rework, robot)
  rollUp(KEYS[tonumber(ARGV[i + 4])], ARGV[i + 9], n, manual, rework, robot)
  addMachine(KEYS[tonumber(ARGV[i + 5])], ARGV[i + 10], ARGV[i + 11])
  addMachine(KEYS[tonumber(ARGV[i + 6])], ARGV[i + 10], ARGV[i + 11])
  rollUp(KEYS[tonumber(ARGV[i + 16])], ARGV[i + 17], n, manual, rework, robot)
  redis.call('SADD', KEYS[3], ARGV[i + 7])
  last = id
  count = count + 1
end
if last ~= '' then redis.call('SET', KEYS[1], last) end
return count
`;
