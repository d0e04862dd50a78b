import { AmqpError, ReplyCode, type FieldTable } from '../../shared/amqp/index.js';
import { RedisCommandError, RedisUnavailableError } from '../../shared/redis/index.js';
import { Admissions, routeSettled } from '../broker/admissions.js';
import type { Exchange } from '../broker/exchange.js';
import type { Message } from '../broker/message.js';
import type { Channel } from './channel.js';
import { settleRouted } from './routed-publish.js';

/**
 * The slow path of routeMessage: the route meets a Redis-backed deduplication exchange whose answer is not
 * in. The channel's backlog holds everything sent after this publish until Redis has answered and the
 * message is routed with the answers; or, when there will be no answer (Redis unavailable in reject mode,
 * a script error), until it is rejected: nacked in confirm mode, else its channel is closed with 506.
 */
export function deferRoute(
  ch: Channel,
  x: Exchange,
  keys: readonly string[],
  headers: FieldTable | undefined,
  msg: Message,
  mandatory: boolean,
  seq: number,
  prefetched: Admissions | null,
): false {
  const a = prefetched ?? new Admissions(ch.conn.waitsForDedupStore);
  ch.deferred().hold(
    a,
    () => routeSettled(ch.vhost, x, keys, headers, a, (queues) => settleRouted(ch, queues, msg, headers, mandatory, seq)),
    (failure) => reject(ch, x, seq, failure),
  );
  return false;
}

function reject(ch: Channel, x: Exchange, seq: number, failure: unknown): void {
  if (!(failure instanceof RedisUnavailableError || failure instanceof RedisCommandError)) throw failure;
  if (seq !== 0) {
    ch.stats.confirm++;
    ch.confirms?.settle(seq, false);
    ch.conn.scheduleFlush();
    return;
  }
  // 506 is a connection error in the spec's table, but nothing outside this channel is wrong
  const why = `cannot check for duplicates at exchange '${x.name}' in vhost '${ch.vhost.name}': ${failure.message}`;
  ch.closeWithError(new AmqpError(ReplyCode.ResourceError, why, 60, 40));
}
