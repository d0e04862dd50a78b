import { AmqpError, ReplyCode, writeContent, writeMethodFrame, type BasicAck, type BasicGet, type BasicNack, type BasicRecover, type BasicRecoverAsync, type BasicReject } from '../../shared/amqp/index.js';
import type { Channel } from './channel.js';
import { byQueue, type Delivery } from './unacked.js';

/** basic.ack: settle one delivery or, with multiple, every one up to the tag. */
export function basicAck(ch: Channel, m: BasicAck): void {
  if (ch.tx) return ch.tx.settle(ch, m.deliveryTag, m.multiple, 'ack');
  settle(ch, ch.unacked.take(m.deliveryTag, m.multiple), 'ack');
}

export function basicNack(ch: Channel, m: BasicNack): void {
  const how = m.requeue ? 'requeue' : 'discard';
  if (ch.tx) return ch.tx.settle(ch, m.deliveryTag, m.multiple, how);
  settle(ch, ch.unacked.take(m.deliveryTag, m.multiple), how);
}

export function basicReject(ch: Channel, m: BasicReject): void {
  const how = m.requeue ? 'requeue' : 'discard';
  if (ch.tx) return ch.tx.settle(ch, m.deliveryTag, false, how);
  settle(ch, ch.unacked.take(m.deliveryTag, false), how);
}

export type Settlement = 'ack' | 'requeue' | 'discard';

/** Applies a settlement, then lets the affected queues deliver into the freed prefetch credit. */
export function settle(ch: Channel, ds: readonly Delivery[], how: Settlement): void {
  if (ds.length === 0) return;
  if (how === 'requeue') {
    for (const [q, entries] of byQueue(ds)) q.requeue(entries);
  } else if (how === 'discard') {
    for (const d of ds) d.queue.reject(d.entry);
  } else {
    ch.stats.ack += ds.length;
    for (const d of ds) d.queue.settle(d.entry);
  }
  for (const q of new Set(ds.map((d) => d.queue))) q.dispatch();
  ch.resumeDeliveries();
}

/**
 * basic.recover / recover-async: redeliver everything unacked. requeue=false is refused, as RabbitMQ does.
 * recover-ok goes first: RabbitMQ answers before its queues redeliver.
 */
export function basicRecover(ch: Channel, m: BasicRecover | BasicRecoverAsync): void {
  if (!m.requeue) throw new AmqpError(ReplyCode.NotImplemented, 'requeue=false');
  if (m.name === 'basic.recover') ch.send({ name: 'basic.recover-ok' });
  requeueAll(ch);
  ch.resumeDeliveries();
}

/** Returns every unacked delivery of the channel to its queue, in delivery order. */
export function requeueAll(ch: Channel): void {
  const ds = ch.unacked.takeAll();
  for (const [q, entries] of byQueue(ds)) q.requeue(entries);
}

/** basic.get: one message or get-empty; counted unacked unless no-ack. */
export function basicGet(ch: Channel, m: BasicGet): void {
  const name = ch.queueName(m.queue);
  ch.authorize('read', 'queue', name);
  const q = ch.vhost.queue(name, ch.conn);
  const got = q.get(m.noAck);
  if (!got) {
    q.stats.getEmpty++;
    ch.stats.getEmpty++;
    return ch.send({ name: 'basic.get-empty', clusterId: '' });
  }
  const { entry, msg } = got;
  if (m.noAck) ch.stats.getNoAck++;
  else ch.stats.get++;
  if (entry.deliveryCount > 1) ch.stats.redeliver++;
  const tag = m.noAck ? ++ch.unacked.lastTag : ch.unacked.add(q, entry, null);
  const out = ch.conn.out;
  writeMethodFrame(out, ch.id, {
    name: 'basic.get-ok',
    deliveryTag: tag,
    redelivered: entry.deliveryCount > 1,
    exchange: msg.exchange,
    routingKey: msg.routingKey,
    messageCount: q.messageCount,
  });
  writeContent(out, ch.id, msg.rawProperties, msg.body, ch.conn.frameMax);
  ch.conn.scheduleFlush();
}
