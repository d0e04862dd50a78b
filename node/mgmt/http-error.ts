/** An API failure with its HTTP status; the body is RabbitMQ's `{ error, reason }` shape. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
  ) {
    super(`${status} ${error}: ${reason}`);
  }
}

export const badRequest = (reason: string): HttpError => new HttpError(400, 'bad_request', reason);
export const notFound = (what = 'Object Not Found'): HttpError => new HttpError(404, 'Object Not Found', what);
export const unauthorized = (reason = 'Not management user'): HttpError => new HttpError(401, 'not_authorised', reason);
export const forbidden = (reason: string): HttpError => new HttpError(403, 'not_authorised', reason);
