// Typed Redis failures. Callers must be able to tell "Redis could not be asked" (retry later, never
// guess the answer) from "Redis answered with an error" (a bug or a misconfiguration).

/** Reply errors that mean "this server cannot serve the request right now". */
const TRANSIENT_REPLIES = ['LOADING', 'BUSY', 'MASTERDOWN', 'READONLY', 'TRYAGAIN', 'CLUSTERDOWN', 'OOM', 'NOREPLICAS'];

/** Redis (or a quorum of Redis servers) could not be reached or could not serve the request. */
export class RedisUnavailableError extends Error {
  readonly code = 'WARREN_REDIS_UNAVAILABLE';
  override readonly name = 'RedisUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Redis answered a command with an error reply that retrying will not fix (WRONGTYPE, script error...). */
export class RedisCommandError extends Error {
  readonly code = 'WARREN_REDIS_COMMAND';
  override readonly name = 'RedisCommandError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

/** True when the error means the server was not reachable or not able to serve, as opposed to a reply. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof RedisUnavailableError) return true;
  if (err instanceof RedisCommandError) return false;
  if (!isReplyError(err)) return true;
  return TRANSIENT_REPLIES.some((p) => err.message.startsWith(p));
}

/** Wraps whatever ioredis threw into one of the two typed errors; `what` names the operation. */
export function toRedisError(err: unknown, what: string): RedisUnavailableError | RedisCommandError {
  if (err instanceof RedisUnavailableError || err instanceof RedisCommandError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return isUnavailable(err)
    ? new RedisUnavailableError(`${what}: Redis unavailable (${detail})`, { cause: err })
    : new RedisCommandError(`${what}: ${detail}`, { cause: err });
}
