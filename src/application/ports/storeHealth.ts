/**
 * Whether a store answers right now. Readiness (/readyz) reports it; a store that does not answer
 * is an expected state of a networked store (EventStoreDB, MongoDB), not a crash.
 */
export type StoreHealth = { ok: true } | { ok: false; reason: string };

/**
 * Thrown by a store operation when the store cannot be reached (connection refused, no server
 * selectable, deadline passed). The HTTP layer answers 503 to it, so callers know to retry.
 */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
  readonly code = 'STORE_UNAVAILABLE';
}
