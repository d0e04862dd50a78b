import { AmqpError, PropertyFlag, ReplyCode, writeContent, writeMethodFrame, type BasicPublish, type FieldValue } from '../../shared/amqp/index.js';
import type { Exchange } from '../broker/exchange.js';
import type { EnqueueOutcome } from '../broker/queue.js';
import { Message } from '../broker/message.js';
import type { Channel } from './channel.js';

/**
 * basic.publish: route, enqueue, return if mandatory and unroutable, confirm. In a transaction the
 * publish is only checked now and applied at commit.
 */
export function basicPublish(ch: Channel, m: BasicPublish, properties: Buffer, body: Buffer): void {
  // RabbitMQ refuses immediate delivery outright (connection error 540).
  if (m.immediate) throw new AmqpError(ReplyCode.NotImplemented, 'immediate=true');
  const x = ch.vhost.exchange(m.exchange);
  ch.authorize('write', 'exchange', m.exchange);
  if (x.options.internal) {
    throw new AmqpError(ReplyCode.AccessRefused, `cannot publish to internal exchange '${m.exchange}' in vhost '${ch.vhost.name}'`);
  }
  const msg = new Message(m.exchange, m.routingKey, properties, body);
  if (msg.flags & (PropertyFlag.UserId | PropertyFlag.Expiration)) checkProperties(ch, msg);
  ch.conn.published();
  ch.stats.publish++;
  if (ch.tx) return ch.tx.publish(x, msg, m.mandatory);
  routeMessage(ch, x, msg, m.mandatory);
}

/** Routes one message (sender-selected CC/BCC keys included) and settles its confirm. */
export function routeMessage(ch: Channel, x: Exchange, msg: Message, mandatory: boolean): void {
  const seq = ch.confirms?.next() ?? 0;
  const headers = msg.has(PropertyFlag.Headers) ? msg.properties.headers : undefined;
  let keys: string[] = [msg.routingKey];
  let delivered = msg;
  if (headers && (headers['CC'] !== undefined || headers['BCC'] !== undefined)) {
    keys = keys.concat(routingKeys(headers['CC']), routingKeys(headers['BCC']));
    if (headers['BCC'] !== undefined) {
      // BCC recipients must not see each other: the header is removed before delivery
      const { BCC: _bcc, ...rest } = headers;
      delivered = msg.withProperties({ ...msg.properties, headers: rest });
    }
  }
  const queues = ch.vhost.route(x, keys, headers);
  let outcome: EnqueueOutcome = 'accepted';
  if (queues.length === 0) {
    if (mandatory) sendReturn(ch, msg);
  } else {
    outcome = ch.vhost.enqueue(queues, delivered);
  }
  if (seq === 0) return;
  // a queue refusing the message (reject-publish overflow) makes the confirm a nack; a persisted one is
  // confirmed only once the store has synced it
  const confirm = (): void => {
    ch.stats.confirm++;
    ch.confirms?.settle(seq, outcome !== 'refused');
    ch.conn.scheduleFlush();
  };
  if (outcome === 'persisted') ch.vhost.store!.whenDurable(confirm);
  else confirm();
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

function routingKeys(v: FieldValue | undefined): string[] {
  if (!Array.isArray(v)) return [];
  return v.filter((k): k is string => typeof k === 'string');
}

function sendReturn(ch: Channel, msg: Message): void {
  ch.stats.returnUnroutable++;
  const out = ch.conn.out;
  writeMethodFrame(out, ch.id, { name: 'basic.return', replyCode: ReplyCode.NoRoute, replyText: 'NO_ROUTE', exchange: msg.exchange, routingKey: msg.routingKey });
  writeContent(out, ch.id, msg.rawProperties, msg.body, ch.conn.frameMax);
  ch.conn.scheduleFlush();
}
