/**
 * A deployment's key prefix in Redis. Between braces it is a Redis Cluster hash tag: every key
 * of the deployment (BullMQ's queues, the ledger, campaigns, claims, capacity) hashes to one slot,
 * so the multi-key Lua scripts that keep a dossier exactly once stay atomic on a cluster too.
 */
export const DEFAULT_PREFIX = '{proweb}';

/** `name` or `{name}` (letters, digits, `_`, `-`): what a deployment's `prefix` may be. */
export const PREFIX_PATTERN = /^(?:\{[\w-]+\}|[\w-]+)$/;

/** The hash tag of a prefix (`proweb` for `{proweb}`), `undefined` when it has none. */
export function hashTagOf(prefix: string): string | undefined {
  return /^\{([\w-]+)\}$/.exec(prefix)?.[1];
}
