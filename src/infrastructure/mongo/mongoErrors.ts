import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { StoreUnavailable } from '../../application/ports/storeHealth.js';
import { errorMessage } from '../../application/errorMessage.js';

const duplicateKey = 11000;

/** E11000: the guarded upsert found a document at the position or later (or lost an insert race). */
export const isDuplicateKey = (error: unknown): boolean =>
  error instanceof MongoError && error.code === duplicateKey;

/** True when the error means "no server answered", as opposed to "the server said no". */
export const isMongoUnreachable = (error: unknown): boolean =>
  error instanceof MongoServerSelectionError ||
  error instanceof MongoNetworkError ||
  error instanceof MongoTopologyClosedError ||
  error instanceof MongoNotConnectedError;

const messageOf = (error: unknown): string => errorMessage(error).trim() || 'no detail';

export const mongoHealthReason = (error: unknown, target: string): string =>
  isMongoUnreachable(error)
    ? `MongoDB at ${target} unreachable: ${messageOf(error)}`
    : `MongoDB at ${target} failed: ${messageOf(error)}`;

/** Connectivity failures become StoreUnavailable (HTTP 503); anything else is left as it is. */
export const mongoStoreError = (error: unknown, target: string): unknown =>
  isMongoUnreachable(error)
    ? new StoreUnavailable(mongoHealthReason(error, target), { cause: error })
    : error;
