import type { QueueBind, QueueDeclare, QueueDelete, QueuePurge, QueueUnbind } from '../../shared/amqp/index.js';
import { generatedName } from '../broker/names.js';
import type { Channel } from './channel.js';
import { REPLY_QUEUE } from './direct-reply-to.js';
import { authorizeTopic } from './topic-authorization.js';

/**
 * queue.declare: configure access to the queue, even to a server-named one, as RabbitMQ checks the name it
 * generates. The vhost names that queue itself, so a name of the same form is checked first (no queue is
 * made for a refused user), and the actual name once made (a pattern could tell random names apart).
 */
export function queueDeclare(ch: Channel, m: QueueDeclare): void {
  // the direct reply-to pseudo-queue "exists" for every client, as RabbitMQ answers: no messages, one consumer
  if (m.queue === REPLY_QUEUE) return void (m.nowait || ch.send({ name: 'queue.declare-ok', queue: REPLY_QUEUE, messageCount: 0, consumerCount: 1 }));
  const serverNamed = !m.passive && m.queue === '';
  if (!m.passive) ch.authorize('configure', 'queue', serverNamed ? generatedName('amq.gen-') : m.queue);
  const q = ch.vhost.declareQueue(
    { name: m.queue, passive: m.passive, durable: m.durable, exclusive: m.exclusive, autoDelete: m.autoDelete, arguments: m.arguments },
    ch.conn,
  );
  if (serverNamed && !ch.conn.permission!.grants('configure', 'queue', q.name)) {
    ch.vhost.removeQueue(q);
    ch.authorize('configure', 'queue', q.name);
  }
  if (q.options.owner === ch.conn) ch.conn.exclusiveQueues.add(q);
  ch.lastQueue = q.name;
  if (!m.nowait) ch.send({ name: 'queue.declare-ok', queue: q.name, messageCount: q.messageCount, consumerCount: q.consumerCount });
}

/**
 * queue.bind: write access to the queue, read access to the exchange (and to the key, on a topic exchange
 * with topic permissions). An empty queue name means the last declared queue, and then an empty routing
 * key means that queue's name (AMQP 0-9-1 §1.7.2.3).
 */
export function queueBind(ch: Channel, m: QueueBind): void {
  const [queue, key] = target(ch, m);
  ch.authorize('write', 'queue', queue);
  ch.authorize('read', 'exchange', m.exchange);
  authorizeTopic(ch, m.exchange, key, 'read');
  ch.vhost.bind(m.exchange, ch.vhost.queue(queue, ch.conn), key, m.arguments);
  if (!m.nowait) ch.send({ name: 'queue.bind-ok' });
}

/** queue.unbind: unbinding something that is not there, even a missing queue or exchange, is ok. */
export function queueUnbind(ch: Channel, m: QueueUnbind): void {
  const [queue, key] = target(ch, m);
  ch.authorize('write', 'queue', queue);
  ch.authorize('read', 'exchange', m.exchange);
  authorizeTopic(ch, m.exchange, key, 'read');
  if (ch.vhost.queues.has(queue) && ch.vhost.exchanges.has(m.exchange)) {
    ch.vhost.unbind(m.exchange, ch.vhost.queue(queue, ch.conn), key, m.arguments);
  }
  ch.send({ name: 'queue.unbind-ok' });
}

function target(ch: Channel, m: QueueBind | QueueUnbind): [string, string] {
  const queue = ch.queueName(m.queue);
  return [queue, m.queue === '' && m.routingKey === '' ? queue : m.routingKey];
}

export function queuePurge(ch: Channel, m: QueuePurge): void {
  const name = ch.queueName(m.queue);
  ch.authorize('read', 'queue', name);
  const count = ch.vhost.queue(name, ch.conn).purge();
  if (!m.nowait) ch.send({ name: 'queue.purge-ok', messageCount: count });
}

export function queueDelete(ch: Channel, m: QueueDelete): void {
  const name = ch.queueName(m.queue);
  ch.authorize('configure', 'queue', name);
  const count = ch.vhost.deleteQueue(name, m.ifUnused, m.ifEmpty, ch.conn);
  if (!m.nowait) ch.send({ name: 'queue.delete-ok', messageCount: count });
}
