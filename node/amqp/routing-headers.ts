import { AmqpError, Chars, fieldTypeName, printTerm, ReplyCode, type FieldTable } from '../../shared/amqp/index.js';

const ROUTING_HEADERS = ['CC', 'BCC'] as const;
const INVALID = 'invalid message: ';

/**
 * RabbitMQ also routes a message on the keys in its CC and BCC headers, which must be arrays: a header of
 * any other type refuses the publish (406), naming the header and the field type as Erlang prints them.
 */
export function checkRoutingHeaders(headers: FieldTable | undefined): void {
  for (const key of ROUTING_HEADERS) {
    const v = headers?.[key];
    if (v === undefined || Array.isArray(v)) continue;
    const why = printTerm(['unacceptable_type_in_header', new Chars(key), fieldTypeName(v)], INVALID.length + 1);
    throw new AmqpError(ReplyCode.PreconditionFailed, INVALID + why);
  }
}
