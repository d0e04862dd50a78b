import { PropertyFlag, ReplyCode, writeContent, writeMethodFrame, type FieldTable } from '../../shared/amqp/index.js';
import { senderSelectedKeys, type Message } from '../broker/message.js';
import type { EnqueueOutcome, Queue } from '../broker/queue.js';
import type { Channel } from './channel.js';

/** The headers routing looks at (undefined when the message has none). */
export function routingHeaders(msg: Message): FieldTable | undefined {
  return msg.has(PropertyFlag.Headers) ? msg.properties.headers : undefined;
}

/** The routing key plus the sender-selected CC and BCC keys. */
export function routingKeysOf(msg: Message, headers: FieldTable | undefined): string[] {
  const keys = [msg.routingKey];
  if (headers && (headers['CC'] !== undefined || headers['BCC'] !== undefined)) return keys.concat(senderSelectedKeys(headers['CC']), senderSelectedKeys(headers['BCC']));
  return keys;
}

/** A routed publish: enqueue (or return, if mandatory and unroutable), then settle its confirm. */
export function settleRouted(ch: Channel, queues: readonly Queue[], msg: Message, headers: FieldTable | undefined, mandatory: boolean, seq: number): void {
  let outcome: EnqueueOutcome = 'accepted';
  if (queues.length === 0) {
    if (mandatory) sendReturn(ch, msg);
    else ch.stats.dropUnroutable++;
  } else {
    ch.stats.routed += queues.length;
    outcome = ch.vhost.enqueue(queues, headers?.['BCC'] === undefined ? msg : withoutBcc(msg, headers));
  }
  if (seq === 0) return;
  // a queue refusing the message (reject-publish overflow) makes the confirm a nack; a persisted one is
  // confirmed only once the store has synced it
  if (outcome === 'persisted') ch.vhost.store!.whenDurable(() => confirm(ch, seq, true));
  else confirm(ch, seq, outcome !== 'refused');
}

/**
 * A direct reply: delivered to the requester's channel at once, or unroutable when that channel has gone
 * or the key is unknown. RabbitMQ also returns a delivered reply published as mandatory; Warren returns
 * only those it could not deliver (docs/rabbitmq-differences.md).
 */
export function settleReply(ch: Channel, msg: Message, mandatory: boolean, seq: number): void {
  if (!ch.conn.ctx.replyConsumers.target(msg.routingKey)?.deliverReply(msg)) return settleRouted(ch, [], msg, undefined, mandatory, seq);
  ch.stats.routed++;
  if (seq !== 0) confirm(ch, seq, true);
}

function confirm(ch: Channel, seq: number, ack: boolean): void {
  ch.stats.confirm++;
  ch.confirms?.settle(seq, ack);
  ch.conn.scheduleFlush();
}

/** BCC recipients must not see each other: the header is removed before delivery (its keys are kept aside). */
function withoutBcc(msg: Message, headers: FieldTable): Message {
  const { BCC: bcc, ...rest } = headers;
  const copy = msg.withProperties({ ...msg.properties, headers: rest });
  copy.bcc = senderSelectedKeys(bcc);
  return copy;
}

function sendReturn(ch: Channel, msg: Message): void {
  ch.stats.returnUnroutable++;
  const out = ch.conn.out;
  writeMethodFrame(out, ch.id, { name: 'basic.return', replyCode: ReplyCode.NoRoute, replyText: 'NO_ROUTE', exchange: msg.exchange, routingKey: msg.routingKey });
  writeContent(out, ch.id, msg.rawProperties, msg.body, ch.conn.frameMax);
  ch.conn.scheduleFlush();
}
