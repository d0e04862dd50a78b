import { AmqpError, numberOf, ReplyCode, type BasicCancel, type BasicConsume, type BasicQos } from '../../shared/amqp/index.js';
import { expectedInteger } from '../broker/argument-text.js';
import { invalidArg } from '../broker/errors.js';
import { generatedName } from '../broker/names.js';
import type { Channel } from './channel.js';
import { ChannelConsumer } from './channel-consumer.js';
import { consumeReplies, REPLY_QUEUE, stopReplies } from './direct-reply-to.js';

/**
 * basic.qos as RabbitMQ 3.10 reads it: global=true sets a limit shared by the whole channel; global=false
 * sets the limit for each consumer created afterwards and also lifts the channel's limit (rabbit_channel
 * unlimits its limiter). prefetch-size is not supported (540, as RabbitMQ).
 */
export function basicQos(ch: Channel, m: BasicQos): void {
  if (m.prefetchSize !== 0) throw new AmqpError(ReplyCode.NotImplemented, `prefetch_size!=0 (${m.prefetchSize})`);
  if (m.global) ch.channelPrefetch = m.prefetchCount;
  else {
    ch.consumerPrefetch = m.prefetchCount;
    ch.channelPrefetch = 0;
  }
  ch.send({ name: 'basic.qos-ok' });
  ch.resumeDeliveries();
}

export function basicConsume(ch: Channel, m: BasicConsume): void {
  const tag = m.consumerTag === '' ? generatedName('amq.ctag-') : m.consumerTag;
  if (ch.consumers.has(tag) || ch.replyConsumer?.tag === tag) throw new AmqpError(ReplyCode.NotAllowed, `attempt to reuse consumer tag '${tag}'`);
  if (m.queue === REPLY_QUEUE) return consumeReplies(ch, m, tag);
  const name = ch.queueName(m.queue);
  ch.authorize('read', 'queue', name);
  const q = ch.vhost.queue(name, ch.conn);
  const priorityArg = m.arguments['x-priority'];
  const priority = priorityArg === undefined ? 0 : numberOf(priorityArg);
  if (priority === undefined || !Number.isInteger(priority)) {
    throw invalidArg('x-priority', 'queue', q.name, q.vhost, expectedInteger(priorityArg!));
  }
  q.checkConsumer(m.exclusive);
  const c = new ChannelConsumer(ch, q, tag, m.noAck, m.exclusive, priority, ch.consumerPrefetch);
  // consume-ok must reach the client before the first delivery
  if (!m.nowait) ch.send({ name: 'basic.consume-ok', consumerTag: tag });
  ch.consumers.set(tag, c);
  q.addConsumer(c);
  q.dispatch();
}

export function basicCancel(ch: Channel, m: BasicCancel): void {
  const c = ch.consumers.get(m.consumerTag);
  if (ch.replyConsumer?.tag === m.consumerTag) stopReplies(ch);
  else if (c) {
    ch.consumers.delete(m.consumerTag);
    c.queue.removeConsumer(c);
  }
  if (!m.nowait) ch.send({ name: 'basic.cancel-ok', consumerTag: m.consumerTag });
}
