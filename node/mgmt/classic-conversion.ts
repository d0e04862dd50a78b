import { stringOf, type FieldTable } from '../../shared/amqp/index.js';

/** Queue arguments that only quorum queues and streams have in RabbitMQ 3.10. */
const TYPE_ONLY_ARGUMENTS: readonly string[] = [
  'x-queue-type',
  'x-delivery-limit',
  'x-dead-letter-strategy',
  'x-max-in-memory-length',
  'x-max-in-memory-bytes',
  'x-quorum-initial-group-size',
  'x-queue-leader-locator',
  'x-initial-cluster-size',
  'x-max-age',
  'x-stream-max-segment-size-bytes',
];

interface ClassicConversion {
  /** quorum or stream */
  readonly type: string;
  readonly arguments: FieldTable;
  /** The arguments left out, in the queue's order. */
  readonly dropped: string[];
}

/**
 * A quorum or stream queue of a definitions file made a classic queue, without the arguments only its type
 * has; null for any other queue. Warren has only classic queues, and refuses to declare another type over
 * AMQP or the API (406): a file moved from RabbitMQ still imports whole, and the import says what changed.
 */
export function asClassic(args: FieldTable): ClassicConversion | null {
  const type = stringOf(args['x-queue-type']);
  if (type !== 'quorum' && type !== 'stream') return null;
  const kept = Object.entries(args).filter(([k]) => !TYPE_ONLY_ARGUMENTS.includes(k));
  return { type, arguments: Object.fromEntries(kept), dropped: Object.keys(args).filter((k) => TYPE_ONLY_ARGUMENTS.includes(k)) };
}
