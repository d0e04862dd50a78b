// rabbitmq-client: the consumer callback settles by what it returns (ConsumerStatus), so there is no
// ack to call; the decision maps to a status instead.
//
//   rabbit.createConsumer({ queue: 'orders' }, rabbitmqClientHandler(idem, async (msg, { fence }) => { ... }));
import type { HandlerOptions, Handler, IdempotentConsumer } from '../consumer.js';
import type { Settlement } from '../settlement.js';
import { idString } from './adapter.js';

/** rabbitmq-client's ConsumerStatus values. */
export const ConsumerStatus = { ACK: 0, REQUEUE: 1, DROP: 2 } as const;
export type ConsumerStatusValue = (typeof ConsumerStatus)[keyof typeof ConsumerStatus];

/** The parts of an AsyncMessage the library reads (rabbitmq-client flattens the properties). */
export interface RabbitmqClientMessage {
  readonly messageId?: unknown;
}

export function statusOf(s: Settlement): ConsumerStatusValue {
  if (s.action === 'ack') return ConsumerStatus.ACK;
  return s.requeue ? ConsumerStatus.REQUEUE : ConsumerStatus.DROP;
}

export function rabbitmqClientHandler<M extends RabbitmqClientMessage>(
  consumer: IdempotentConsumer,
  handler: Handler<M>,
  options: HandlerOptions<M> = {},
): (message: M) => Promise<ConsumerStatusValue> {
  const idOf = options.fingerprint ?? ((m: M) => idString(m.messageId));
  return async (message) => statusOf(await consumer.decide(idOf(message), (ctx) => handler(message, ctx)));
}
