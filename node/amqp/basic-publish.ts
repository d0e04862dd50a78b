import { AmqpError, PropertyFlag, ReplyCode, type BasicPublish } from '../../shared/amqp/index.js';
import { Admissions } from '../broker/admissions.js';
import type { Exchange } from '../broker/exchange.js';
import { Message } from '../broker/message.js';
import type { Channel } from './channel.js';
import { deferRoute } from './deferred-publish.js';
import { isReplyRoute, withReplyAddress } from './direct-reply-to.js';
import { routingHeaders, routingKeysOf, settleReply, settleRouted } from './routed-publish.js';
import { checkRoutingHeaders } from './routing-headers.js';
import { authorizeTopic } from './topic-authorization.js';

/** A publish queued behind deferred work, with the Redis checks it already started (see prefetchPublish). */
export interface Prefetch {
  readonly msg: Message;
  readonly admissions: Admissions;
}

/**
 * basic.publish: route, enqueue, return if mandatory and unroutable, confirm. In a transaction the
 * publish is only checked now and applied at commit.
 */
export function basicPublish(ch: Channel, m: BasicPublish, properties: Buffer, body: Buffer, pre: Prefetch | null = null): void {
  // RabbitMQ refuses immediate delivery outright (connection error 540).
  if (m.immediate) throw new AmqpError(ReplyCode.NotImplemented, 'immediate=true');
  const x = ch.vhost.exchange(m.exchange);
  ch.authorize('write', 'exchange', m.exchange);
  if (x.options.internal) {
    throw new AmqpError(ReplyCode.AccessRefused, `cannot publish to internal exchange '${m.exchange}' in vhost '${ch.vhost.name}'`);
  }
  authorizeTopic(ch, m.exchange, m.routingKey, 'write');
  let msg = pre?.msg ?? new Message(m.exchange, m.routingKey, properties, body);
  if (msg.flags & (PropertyFlag.UserId | PropertyFlag.Expiration)) checkProperties(ch, msg);
  if (msg.flags & PropertyFlag.Headers) checkRoutingHeaders(msg.properties.headers);
  if (msg.flags & PropertyFlag.ReplyTo) msg = withReplyAddress(ch, msg);
  ch.conn.published();
  ch.stats.publish++;
  if (ch.confirms !== null) ch.stats.receivedConfirm++;
  if (ch.tx) return ch.tx.publish(x, msg, m.mandatory);
  routeMessage(ch, x, msg, m.mandatory, pre?.admissions ?? null);
}

/**
 * Routes one message (sender-selected CC/BCC keys included) and settles its confirm. False when the route
 * needs Redis first (a Redis-backed deduplication exchange): the channel's backlog then holds everything
 * after this publish until it is routed (deferred-publish.ts).
 */
export function routeMessage(ch: Channel, x: Exchange, msg: Message, mandatory: boolean, admissions: Admissions | null = null): boolean {
  const seq = ch.confirms?.next() ?? 0;
  if (isReplyRoute(x.name, msg.routingKey)) {
    settleReply(ch, msg, mandatory, seq);
    return true;
  }
  const headers = routingHeaders(msg);
  const keys = routingKeysOf(msg, headers);
  const queues = ch.vhost.route(x, keys, headers, admissions);
  if (queues === null) return deferRoute(ch, x, keys, headers, msg, mandatory, seq, admissions);
  admissions?.finish();
  settleRouted(ch, queues, msg, headers, mandatory, seq);
  return true;
}

/**
 * A publish that arrives while its channel's backlog is busy: start the Redis checks its route needs now,
 * so they are pipelined with those of the publishes ahead of it. Best effort: it is validated and routed
 * in its turn, and what it asked is withdrawn if unused.
 */
export function prefetchPublish(ch: Channel, m: BasicPublish, properties: Buffer, body: Buffer): Prefetch | null {
  const x = ch.vhost.exchanges.get(m.exchange);
  if (x === undefined || x.options.internal || ch.tx !== null || !ch.conn.permission!.grants('write', 'exchange', m.exchange)) return null;
  const msg = new Message(m.exchange, m.routingKey, properties, body);
  const headers = routingHeaders(msg);
  const admissions = new Admissions(ch.conn.waitsForDedupStore);
  ch.vhost.ask(x, routingKeysOf(msg, headers), headers, admissions);
  return { msg, admissions };
}

/** RabbitMQ validates these two properties at publish: a forged user-id or a malformed expiration is 406. */
function checkProperties(ch: Channel, msg: Message): void {
  const { userId, expiration } = msg.properties;
  const user = ch.conn.user!.name;
  if (userId !== undefined && userId !== user) {
    throw new AmqpError(ReplyCode.PreconditionFailed, `user_id property set to '${userId}' but authenticated user was '${user}'`);
  }
  if (expiration !== undefined) {
    const why = expirationProblem(expiration);
    if (why) throw new AmqpError(ReplyCode.PreconditionFailed, `invalid expiration '${expiration}': ${why}`);
  }
}

/** Why an expiration is not a non-negative integer, in RabbitMQ's terms; null when it is fine. */
function expirationProblem(text: string): string | null {
  const m = /^[+-]?\d+/.exec(text);
  if (!m) return 'no_integer';
  if (m[0].length < text.length) return `{leftover_string,${JSON.stringify(text.slice(m[0].length))}}`;
  const n = Number(m[0]);
  return n < 0 ? `{value_negative,${n}}` : null;
}
