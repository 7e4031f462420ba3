// Turns a MongoDB driver error into an SdkError: decides by the driver's error class, server code and error labels
// whether a retry can help, whether it is configuration, and whether a failed write may still have been applied.
// It never copies a driver error's payload (errInfo, keyValue, errorResponse), which can quote stored documents.
import { SdkError } from "@sdk/core";

/** Duplicate key: a unique index (the `_id` or the natural key) refused the write. */
export const DUPLICATE_KEY = 11000;

/**
 * Server codes after which the same request can succeed later: the server's retryable-read/-write code list
 * (driver `lib/error.js` RETRYABLE_READ_ERROR_CODES, from the retryable-writes spec) plus time limits.
 * @see https://github.com/mongodb/specifications/blob/master/source/retryable-writes/retryable-writes.md#terms
 */
const TRANSIENT_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired: the operation time limit ran out
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary: an election is under way
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Server codes that mean the deployment or the collection is set up wrong: retrying the same call cannot help. */
const CONFIGURATION_CODES = new Map<number, string>([
  [13, "the database user is not authorized for this operation"], // Unauthorized
  [18, "authentication failed"], // AuthenticationFailed
  [67, "the index cannot be created (a unique index on a sharded collection must start with the shard key)"], // CannotCreateIndex
  [79, "the write concern names an unknown tag set"], // UnknownReplWriteConcern
  [85, "an index with the same name exists with other options"], // IndexOptionsConflict
  [86, "an index with the same keys exists with another name or options"], // IndexKeySpecsConflict
  [100, "the write concern cannot be satisfied by this deployment"], // UnsatisfiableWriteConcern
]);

/** Server codes about the data itself: not retryable and not configuration. */
const DATA_CODES = new Map<number, string>([
  [121, "the collection's validator rejected the document"], // DocumentValidationFailure
  [10334, "the document is larger than the 16 MB BSON limit"], // BSONObjectTooLarge
  [17280, "a key is too large to index"], // KeyTooLong
]);

/**
 * Driver classes (by name, so that any copy of driver 6 or 7 is recognised without importing it) and what they mean.
 * The driver builds its classes by `extends`, so a subclass (MongoNetworkTimeoutError) is found through its parents.
 */
const TRANSIENT_CLASSES = new Set(["MongoNetworkError", "MongoServerSelectionError", "MongoOperationTimeoutError", "MongoStalePrimaryError"]);
const CLOSED_CLASSES = new Set(["MongoClientClosedError", "MongoTopologyClosedError", "MongoNotConnectedError", "MongoExpiredSessionError"]);
const CONFIGURATION_CLASSES = new Set(["MongoInvalidArgumentError", "MongoParseError", "MongoMissingCredentialsError", "MongoMissingDependencyError", "MongoCompatibilityError"]);

/** Labels the server or driver attaches when the operation can be retried as a whole. */
const RETRYABLE_LABELS = ["RetryableWriteError", "RetryableError", "SystemOverloadedError", "TransientTransactionError"];

function classNames(error: object): Set<string> {
  const names = new Set<string>();
  for (let prototype = Object.getPrototypeOf(error); prototype && prototype !== Object.prototype; prototype = Object.getPrototypeOf(prototype)) {
    const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === "string") names.add(name);
  }
  return names;
}

function hasLabel(error: object, label: string): boolean {
  const check = (error as { hasErrorLabel?: unknown }).hasErrorLabel;
  return typeof check === "function" && check.call(error, label) === true;
}

function numericCode(error: object): number | undefined {
  const code = Number((error as { code?: unknown }).code);
  return Number.isInteger(code) ? code : undefined;
}

/** The code of a write-concern error, wherever the driver put it (MongoWriteConcernError, or a result carrying one). */
function writeConcernCode(error: object, names: Set<string>): number | undefined | null {
  const nested = (error as { writeConcernError?: { code?: unknown }; result?: { writeConcernError?: { code?: unknown } } });
  const report = nested.writeConcernError ?? nested.result?.writeConcernError;
  if (!names.has("MongoWriteConcernError") && !report) return null;
  const code = Number(report?.code ?? (error as { code?: unknown }).code);
  return Number.isInteger(code) ? code : undefined;
}

/** The error class, code and labels: facts safe to report (no document contents, no query values). */
export function describeDriverError(error: unknown): { reason: string; mongo_code?: number; labels?: string[] } {
  if (typeof error !== "object" || error === null) return { reason: typeof error };
  const reason = error instanceof Error ? error.name : "unknown";
  const code = numericCode(error);
  const labels = RETRYABLE_LABELS.filter((label) => hasLabel(error, label));
  return { reason, ...(code !== undefined ? { mongo_code: code } : {}), ...(labels.length > 0 ? { labels } : {}) };
}

/**
 * The SdkError for a driver failure during `operation` (`get`, `update`, ...). `write` says whether the operation
 * changes data: a write whose acknowledgement failed after it reached the server may have been applied.
 */
export function storeFailure(operation: string, error: unknown, write: boolean): SdkError {
  if (SdkError.is(error)) return error;
  const facts = describeDriverError(error);
  // A duplicate-key message quotes the duplicate values, other messages may quote a filter: only the class travels.
  const cause = new Error(facts.reason);
  cause.name = facts.reason;
  const details = { operation, ...facts };
  const fail = (code: "store_unavailable" | "misconfigured", message: string, retryable: boolean, extra: Record<string, unknown> = {}) =>
    new SdkError(code, message, { retryable, details: { ...details, ...extra }, cause });
  if (typeof error !== "object" || error === null) return fail("store_unavailable", `The MongoDB store failed during "${operation}".`, false);

  const names = classNames(error);
  const code = numericCode(error);
  const concern = writeConcernCode(error, names);
  if (concern !== null) {
    // The server applied the write on the primary but could not confirm the write concern (timeout, election):
    // it may survive or be rolled back. Compare-and-set makes a retry safe: read the record and decide again.
    return fail(
      "store_unavailable",
      `MongoDB did not confirm the write concern during "${operation}": the write may have been applied. Read the record again before retrying.`,
      true,
      { write_may_have_applied: true, ...(concern !== undefined ? { write_concern_code: concern } : {}) },
    );
  }
  for (const name of CLOSED_CLASSES) {
    if (names.has(name)) return fail("store_unavailable", `The MongoDB client was closed before "${operation}"; the store never reopens it.`, false);
  }
  for (const name of CONFIGURATION_CLASSES) {
    if (names.has(name)) {
      return fail("misconfigured", `The MongoDB driver refused "${operation}" (${name}): check the client options and the document size.`, false);
    }
  }
  if (code !== undefined && CONFIGURATION_CODES.has(code)) {
    return fail("misconfigured", `MongoDB refused "${operation}": ${CONFIGURATION_CODES.get(code)}.`, false);
  }
  if (code !== undefined && DATA_CODES.has(code)) {
    return fail("store_unavailable", `MongoDB refused "${operation}": ${DATA_CODES.get(code)}.`, false);
  }
  const transient =
    [...TRANSIENT_CLASSES].some((name) => names.has(name)) ||
    (code !== undefined && TRANSIENT_CODES.has(code)) ||
    RETRYABLE_LABELS.some((label) => hasLabel(error, label));
  if (transient) {
    // A network error after a write was sent leaves its outcome unknown; the driver's own retry usually settles it.
    const unknownOutcome = write && names.has("MongoNetworkError");
    return fail(
      "store_unavailable",
      unknownOutcome
        ? `MongoDB could not be reached during "${operation}"; the write may have been applied. Read the record again before retrying.`
        : `MongoDB was unavailable during "${operation}" (failover, network or time limit); retry later.`,
      true,
      unknownOutcome ? { write_may_have_applied: true } : {},
    );
  }
  return fail("store_unavailable", `MongoDB failed during "${operation}" (${facts.reason}); retrying the same call will not help.`, false);
}
