import type { Redis } from 'ioredis';
import type { ProwebConfig } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import { CapacityGate } from '../queue/fleet/capacity-gate.ts';

/** The fleet-wide capacity of the configured applications, or nothing when none is limited. */
export function capacityGateFor(config: ProwebConfig, redis: Redis, logger?: Logger): CapacityGate | undefined {
  const capacities = Object.fromEntries(Object.entries(config.applications).flatMap(([id, app]) => (app.capacity ? [[id, app.capacity]] : [])));
  if (Object.keys(capacities).length === 0) return undefined;
  return new CapacityGate(redis, { prefix: config.prefix, capacities, ...(logger ? { logger } : {}) });
}
