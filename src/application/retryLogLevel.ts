import { StoreUnavailable } from './ports/storeHealth.js';

/**
 * How loudly a background loop logs a failure it will retry: a store that does not answer is
 * already reported once by the store health monitor (and by readiness), so its repeats go to
 * debug; anything else is an error an operator should see.
 */
export const retryLogLevel = (error: unknown): 'debug' | 'error' =>
  error instanceof StoreUnavailable ? 'debug' : 'error';
