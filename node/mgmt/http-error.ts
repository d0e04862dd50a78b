/** Why, as RabbitMQ says it: a message, or an Erlang term it left unformatted, which its JSON shows as a list. */
export type Reason = string | readonly unknown[];

/** An API failure with its HTTP status; the body is RabbitMQ's `{ error, reason }` shape. */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: Reason,
  ) {
    super(`${status} ${error}: ${typeof reason === 'string' ? reason : JSON.stringify(reason)}`);
  }
}

/**
 * Credentials missing or wrong: the one 401 that asks for them again (WWW-Authenticate), worded as
 * RabbitMQ's. Other 401s refuse a user who did log in: the web UI keeps its session for those.
 */
export class LoginFailed extends HttpError {
  override readonly name = 'LoginFailed';
  constructor() {
    super(401, 'not_authorized', 'Login failed');
  }
}

export const badRequest = (reason: Reason): HttpError => new HttpError(400, 'bad_request', reason);
export const notFound = (what = 'Not Found'): HttpError => new HttpError(404, 'Object Not Found', what);
export const unauthorized = (reason: string): HttpError => new HttpError(401, 'not_authorised', reason);
