// Sorts MongoDB driver errors into "the database is away" (answer 503 now), "transient" (retry
// with backoff) and everything else (a bug or bad data: surface it unchanged).
import { MongoError, MongoNetworkError, MongoNotConnectedError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';

/** Server codes MongoDB documents as retryable (shutdown, step-down, network trouble seen by the server). */
const RETRYABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 63, 150, 134]);

/** The driver waited its full server-selection timeout, or the client is closed: no point retrying now. */
export function isUnavailable(err: unknown): boolean {
  return err instanceof MongoServerSelectionError || err instanceof MongoTopologyClosedError || err instanceof MongoNotConnectedError;
}

/** A failure that may pass if the same operation is tried again shortly. */
export function isTransient(err: unknown): boolean {
  if (err instanceof MongoNetworkError) return true;
  if (!(err instanceof MongoError)) return false;
  if (err.hasErrorLabel('RetryableWriteError') || err.hasErrorLabel('TransientTransactionError')) return true;
  return typeof err.code === 'number' && RETRYABLE_CODES.has(err.code);
}

/** E11000: a unique index (or `_id`) already holds the key. */
export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoError && err.code === 11000;
}
