import { AmqpError, ReplyCode } from '../../shared/amqp/index.js';
import { HttpError, unauthorized } from './http-error.js';

/**
 * How RabbitMQ's management plugin runs the AMQP method behind an endpoint, as the requesting user; it
 * decides how the method's error is reported:
 * - 'direct': rabbit_channel called directly (declare, delete, bind, unbind, purge): a refusal is 401
 *   "Access refused.", a missing object 404 not_found, anything else 400, each with the bare reason;
 * - 'channel': a call on a channel opened for it (get): a refusal 401 and a missing object 404 with
 *   the reply text, anything else 400 with the code and the reply text;
 * - 'async': a method whose error only closes the channel later (publish): 400 with the code and reply text.
 */
export type Via = 'direct' | 'channel' | 'async';

/** Runs `op`, a broker error it throws reported as an endpoint run `via` reports it. */
export function reported<T>(via: Via, op: () => T): T {
  try {
    return op();
  } catch (e) {
    throw asHttp(e, via);
  }
}

function asHttp(e: unknown, via: Via): unknown {
  if (!(e instanceof AmqpError)) return e;
  const refused = e.replyCode === ReplyCode.AccessRefused || e.replyCode === ReplyCode.NotAllowed;
  const missing = e.replyCode === ReplyCode.NotFound;
  const coded = `${e.replyCode} ${e.replyText}`;
  switch (via) {
    case 'direct': {
      // the reason without the reply's 'NAME - ' prefix
      const reason = e.replyText.slice(e.replyText.indexOf(' - ') + 3);
      if (refused) return unauthorized('Access refused.');
      return missing ? new HttpError(404, 'not_found', reason) : new HttpError(400, 'bad_request', reason);
    }
    case 'channel':
      if (refused) return unauthorized(e.replyText);
      return missing ? new HttpError(404, 'not_found', e.replyText) : new HttpError(400, 'bad_request', coded);
    case 'async':
      return new HttpError(400, 'bad_request', coded);
  }
}
