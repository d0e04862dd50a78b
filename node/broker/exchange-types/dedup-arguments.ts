import { numberOf, stringOf, type FieldTable } from '../../../shared/amqp/index.js';
import { invalidArg } from '../errors.js';
import type { ExchangeTypeContext } from './index.js';

/** The message header whose value is deduplicated. */
export const DEDUP_HEADER = 'x-deduplication-header';

/** The arguments of an `x-message-deduplication` exchange, as RabbitMQ's plugin reads them. */
export interface DedupArguments {
  /** Most values remembered; the oldest makes room. */
  readonly size: number;
  /** ms a value is remembered (null: until evicted). */
  readonly ttl: number | null;
  readonly persistence: 'memory' | 'disk';
}

/** Reads and checks the arguments; a bad one is a 406 naming it. */
export function dedupArguments(ctx: ExchangeTypeContext): DedupArguments {
  const bad = (arg: string, why: string) => invalidArg(arg, 'exchange', ctx.name, ctx.vhost, why);
  const size = positive(ctx.arguments['x-cache-size']);
  if (size === null || size === false) throw bad('x-cache-size', 'required, a positive integer');
  const ttl = positive(ctx.arguments['x-cache-ttl']);
  if (ttl === false) throw bad('x-cache-ttl', 'a positive integer of milliseconds');
  const persistence = stringOf(ctx.arguments['x-cache-persistence']) ?? 'memory';
  if (persistence !== 'memory' && persistence !== 'disk') throw bad('x-cache-persistence', "must be 'memory' or 'disk'");
  return { size, ttl, persistence };
}

/** How long to remember this message's value: its own x-cache-ttl header if valid, else the exchange's. */
export function messageTtl(headers: FieldTable, exchangeTtl: number | null): number | null {
  const ttl = positive(headers['x-cache-ttl']);
  return ttl === false || ttl === null ? exchangeTtl : ttl;
}

/** A positive integer (the plugin also accepts one written as a string), null when absent, false when invalid. */
function positive(v: FieldTable[string] | undefined): number | null | false {
  if (v === undefined) return null;
  const n = numberOf(v) ?? Number(stringOf(v));
  return Number.isInteger(n) && n > 0 ? n : false;
}
