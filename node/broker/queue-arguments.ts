import { numberOf, type FieldTable, type FieldValue } from '../../shared/amqp/index.js';
import { invalidArg } from './errors.js';

/** Arguments whose values must match on re-declaration (others are ignored, as RabbitMQ ignores them). */
export const QUEUE_ARGS_COMPARED: readonly string[] = [
  'x-max-priority',
  'x-message-ttl',
  'x-expires',
  'x-max-length',
  'x-max-length-bytes',
  'x-overflow',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-single-active-consumer',
  'x-queue-type',
];

export const MAX_PRIORITY = 255;

export interface QueueArguments {
  readonly maxPriority: number | null;
}

/** A non-negative integer argument, or the RabbitMQ-style reason it is not one. */
function nonNegativeInt(v: FieldValue): number | string {
  const n = numberOf(v);
  if (n === undefined || !Number.isInteger(n)) return `{unacceptable_type,${typeof v}}`;
  if (n < 0) return `{value_negative,${n}}`;
  return n;
}

/** Validates queue arguments at declaration; a bad value is 406 naming the argument and the reason. */
export function parseQueueArguments(queue: string, vhost: string, args: FieldTable): QueueArguments {
  let maxPriority: number | null = null;
  const p = args['x-max-priority'];
  if (p !== undefined) {
    const n = nonNegativeInt(p);
    if (typeof n === 'string') throw invalidArg('x-max-priority', 'queue', queue, vhost, n);
    if (n > MAX_PRIORITY) throw invalidArg('x-max-priority', 'queue', queue, vhost, `{max_value_exceeded,${n}}`);
    maxPriority = n;
  }
  return { maxPriority };
}
