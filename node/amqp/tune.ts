import { AmqpError, ReplyCode } from '../../shared/amqp/index.js';

/**
 * Checks one value of the client's connection.tune-ok as RabbitMQ does (rabbit_reader): below the minimum,
 * above the server's maximum, or 0 ("no limit") where the server has one, is 530 naming connection.tune.
 * RabbitMQ means to send that close but, by a quirk of its error handling, drops the socket silently after
 * 3 s instead; Warren sends it, so the client learns why.
 */
export function negotiate(field: 'frame_max' | 'channel_max', min: number, server: number, client: number): number {
  if (client !== 0 && client < min) throw refused(field, client, 'lower', 'minimum', min);
  if (client === 0 || client > server) throw refused(field, client, 'higher', 'maximum', server);
  return client;
}

function refused(field: string, client: number, direction: string, bound: string, limit: number): AmqpError {
  const detail = field === 'channel_max' && client === 0 ? ' (no limit)' : '';
  return new AmqpError(ReplyCode.NotAllowed, `negotiated ${field} = ${client}${detail} is ${direction} than the ${bound} allowed value (${limit})`, 10, 30);
}
