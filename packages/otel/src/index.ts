/**
 * `@xshl/otel`: OpenTelemetry spans and metrics for xshl, from the packages' own events.
 *
 * @module
 */

export type { ConfigIssue, OtelErrorCode, OtelErrorOptions, OtelErrors } from "./errors";
export { OTEL_ERROR_CODES, OtelConfigError, OtelError } from "./errors";
export type { InstrumentOptions, InstrumentParts } from "./instrument";
export { instrument } from "./instrument";
export type {
	CodedError,
	EventSource,
	FeedEventsLike,
	FeedLike,
	KeyRingEventsLike,
	KeyRingLike,
	KeySetEventsLike,
	KeySetLike,
	StoreEventsLike,
	StoreLike,
	StoreOperationLike,
	VerifierEventsLike,
	VerifierLike,
} from "./sources";
