// Typed failures of idempotent consumption, each with a stable `code`. Redis failures are the shared
// RedisUnavailableError / RedisCommandError (re-exported from the index).

export abstract class IdempotencyError extends Error {
  abstract readonly code: string;
}

/** The message has no id (no message-id property and the fingerprint gave none): it cannot be deduplicated. */
export class MissingMessageIdError extends IdempotencyError {
  readonly code = 'WARREN_IDEMPOTENCY_NO_ID';
  override readonly name = 'MissingMessageIdError';
  constructor() {
    super('message has no message-id and the fingerprint function returned none: refusing to process without deduplication');
  }
}

/** Our claim expired or was taken over by another consumer; the handler's work may be repeated elsewhere. */
export class ClaimLostError extends IdempotencyError {
  readonly code = 'WARREN_IDEMPOTENCY_CLAIM_LOST';
  override readonly name = 'ClaimLostError';
  constructor(
    readonly id: string,
    detail: string,
  ) {
    super(`claim on message '${id}' lost: ${detail}`);
  }
}

/** The handler threw; its error is the cause. */
export class HandlerFailedError extends IdempotencyError {
  readonly code = 'WARREN_IDEMPOTENCY_HANDLER_FAILED';
  override readonly name = 'HandlerFailedError';
  constructor(
    readonly id: string,
    cause: unknown,
  ) {
    super(`handler failed for message '${id}': ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A bad option, reported when the consumer is created. */
export class IdempotencyConfigError extends IdempotencyError {
  readonly code = 'WARREN_IDEMPOTENCY_CONFIG';
  override readonly name = 'IdempotencyConfigError';
}
