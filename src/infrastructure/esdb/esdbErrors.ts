import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  UnavailableError,
} from '@eventstore/db-client';
import { StoreUnavailable } from '../../application/ports/storeHealth.js';
import { CatchUpTimedOut } from './categoryScan.js';
import { errorMessage } from '../../application/errorMessage.js';

// gRPC status codes (grpc/doc/statuscodes.md) seen when the server cannot be reached or answers
// too late; some client paths (batch appends) reject with the raw gRPC error, not the typed one.
const grpcDeadlineExceeded = 4;
const grpcUnavailable = 14;

const grpcCodeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;

/** True when the error means "the server did not answer", as opposed to "the server said no". */
export const isEsdbUnreachable = (error: unknown): boolean =>
  error instanceof UnavailableError ||
  error instanceof DeadlineExceededError ||
  error instanceof CancelledError ||
  error instanceof NotLeaderError ||
  error instanceof CatchUpTimedOut ||
  grpcCodeOf(error) === grpcUnavailable ||
  grpcCodeOf(error) === grpcDeadlineExceeded;

/** gRPC's "14 UNAVAILABLE: …. Resolution note: " reads better as just the middle part. */
export const esdbMessageOf = (error: unknown): string =>
  errorMessage(error)
    .replace(/^\d+ [A-Z_]+: /, '')
    .replace(/\.? *Resolution note: *$/, '')
    .trim() || 'no detail';

/** Why the log cannot be used, in one line for readiness and the log. */
export const esdbHealthReason = (error: unknown, target: string): string => {
  if (isEsdbUnreachable(error))
    return `EventStoreDB at ${target} unreachable: ${esdbMessageOf(error)}`;
  if (error instanceof AccessDeniedError) {
    return `EventStoreDB at ${target} denied access: the user needs read access to $all`;
  }
  return `EventStoreDB at ${target} failed: ${esdbMessageOf(error)}`;
};

/** Connectivity failures become StoreUnavailable (HTTP 503); anything else is left as it is. */
export const esdbStoreError = (error: unknown, target: string): unknown =>
  isEsdbUnreachable(error)
    ? new StoreUnavailable(esdbHealthReason(error, target), { cause: error })
    : error;
