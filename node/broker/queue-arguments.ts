import { AmqpError, numberOf, ReplyCode, type FieldTable, type FieldValue } from '../../shared/amqp/index.js';
import { expectedInteger, typeName } from './argument-text.js';
import { invalidArg } from './errors.js';
import { QUEUE_SETTING_KEYS, type PartialSettings } from './queue-settings.js';

/** Arguments whose values must match on re-declaration (others are ignored, as RabbitMQ ignores them). */
export const QUEUE_ARGS_COMPARED: readonly string[] = [
  'x-max-priority',
  'x-single-active-consumer',
  'x-queue-type',
  'x-message-deduplication',
  ...QUEUE_SETTING_KEYS.map((k) => k.argument),
];

export const MAX_PRIORITY = 255;

/** What a queue's declaration fixes for its lifetime, plus the settings its arguments ask for. */
export interface QueueArguments {
  readonly maxPriority: number | null;
  readonly singleActiveConsumer: boolean;
  /** Drop a message whose x-deduplication-header value is already in the queue (the plugin's queue mode). */
  readonly deduplicate: boolean;
  readonly settings: PartialSettings;
}

/** Validates queue arguments at declaration; a bad value is 406 naming the argument and the reason. */
export function parseQueueArguments(queue: string, vhost: string, args: FieldTable): QueueArguments {
  const bad = (arg: string, why: string) => invalidArg(arg, 'queue', queue, vhost, why);
  let maxPriority: number | null = null;
  const p = args['x-max-priority'];
  if (p !== undefined) {
    const n = numberOf(p);
    if (n === undefined || !Number.isInteger(n)) throw bad('x-max-priority', expectedInteger(p));
    if (n < 0) throw bad('x-max-priority', `{value_negative,${n}}`);
    if (n > MAX_PRIORITY) throw bad('x-max-priority', `{max_value_exceeded,${n}}`);
    maxPriority = n;
  }
  const flag = (arg: string): boolean => {
    const v: FieldValue | undefined = args[arg];
    if (v !== undefined && typeof v !== 'boolean') throw bad(arg, `{unacceptable_type,${typeName(v)}}`);
    return v === true;
  };
  const singleActiveConsumer = flag('x-single-active-consumer');
  const deduplicate = flag('x-message-deduplication');
  const type = args['x-queue-type'];
  if (type !== undefined && type !== 'classic') {
    throw bad('x-queue-type', `{unsupported_queue_type,${JSON.stringify(type)}} (Warren implements classic queues)`);
  }
  const settings: PartialSettings = {};
  for (const k of QUEUE_SETTING_KEYS) {
    const v = args[k.argument];
    if (v === undefined) continue;
    const r = k.validate(v);
    if (!r.ok) {
      // RabbitMQ words a wrongly typed exchange name differently from other bad values
      if (k.argument.startsWith('x-dead-letter-')) throw new AmqpError(ReplyCode.PreconditionFailed, `invalid type '${typeName(v)}' for arg '${k.argument}' in queue '${queue}' in vhost '${vhost}'`);
      throw bad(k.argument, r.why);
    }
    settings[k.setting] = r.value;
  }
  if (settings.deadLetterRoutingKey !== undefined && settings.deadLetterExchange === undefined) {
    throw bad('x-dead-letter-routing-key', 'routing_key_but_no_dlx_defined');
  }
  return { maxPriority, singleActiveConsumer, deduplicate, settings };
}
