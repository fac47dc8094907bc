/**
 * What the fleet benches share (bench/fleet-throughput.ts, bench/national-fleet.ts): synthetic
 * DIPA rows that need no back office, a private redis-server in a temporary folder, and a poll
 * that fails when a worker process died. Bench only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ibanFromBban, luhnKey } from '../domain/identifiers.ts';
import type { DipaCsvRow } from '../fixtures/data/dipa-csv.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../queue/redis/embedded-redis.ts';

/** `count` valid DIPA rows with distinct PS numbers (hence distinct dossiers): no back office needed. */
export function syntheticDipaRows(count: number): DipaCsvRow[] {
  const iban = ibanFromBban('FR', '30002005500000157845Z02');
  return Array.from({ length: count }, (_, i) => {
    const body = String(59_100_000 + i);
    return {
      numero_demande: `DIPA-2020-${String(i + 1).padStart(6, '0')}`, numero_ps: body + luhnKey(body), nom: `BENCH Dossier${i + 1}`, categorie: 'MG',
      debut_periode: '16/03/2020', fin_periode: '30/06/2020', aide_calculee: `${1_000 + (i % 900)},50`, iban,
    };
  });
}

/** A private redis-server in a temporary folder (`proweb-bench-<label>-…`), both removed by `close()`. */
export async function privateRedis(label: string): Promise<{ dir: string; redis: EmbeddedRedis; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `proweb-bench-${label}-`));
  const redis = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  return {
    dir,
    redis,
    async close() {
      await redis.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `done` every 100 ms until it holds. Fails when `died` names a worker process that
 * died (with what it says), or past the deadline; `what` says what was awaited, and may tell
 * how far it got.
 */
export async function pollUntil(what: string | (() => string), done: () => boolean | Promise<boolean>, timeoutMs: number, died: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const say = () => (typeof what === 'string' ? what : what());
  while (!(await done())) {
    const dead = died();
    if (dead) throw new Error(`${say()}: ${dead}`);
    if (Date.now() > deadline) throw new Error(`${say()}: not after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
