import { randomBytes } from 'node:crypto';
import { AmqpError, ReplyCode, type BasicConsume } from '../../shared/amqp/index.js';
import type { Message } from '../broker/message.js';
import type { Channel } from './channel.js';

/** The pseudo-queue a requester consumes its replies from (RabbitMQ's direct reply-to). */
export const REPLY_QUEUE = 'amq.rabbitmq.reply-to';
const REPLY_PREFIX = `${REPLY_QUEUE}.`;

/** A channel's reply consumer: its tag, and the key its replies are published with. */
export interface ReplyConsumer {
  readonly tag: string;
  readonly key: string;
}

/**
 * The node's reply consumers by key. A channel consumes from amq.rabbitmq.reply-to (no-ack only); a
 * request it publishes with that reply_to gets reply_to amq.rabbitmq.reply-to.<key> instead, and a reply
 * published to the default exchange with that routing key goes straight to the channel, through no queue.
 * The key is random, so only whoever was handed it can reply, and each consume makes a new one.
 */
export class ReplyConsumers {
  private readonly byKey = new Map<string, Channel>();

  add(ch: Channel, tag: string): ReplyConsumer {
    const key = randomBytes(18).toString('base64url');
    this.byKey.set(key, ch);
    return { tag, key };
  }

  remove(c: ReplyConsumer): void {
    this.byKey.delete(c.key);
  }

  /** The channel a reply routing key names, while it consumes replies. */
  target(routingKey: string): Channel | undefined {
    return this.byKey.get(routingKey.slice(REPLY_PREFIX.length));
  }
}

/** Whether a publish is a reply to a direct reply-to requester: RabbitMQ reads this key only on the default exchange. */
export const isReplyRoute = (exchange: string, routingKey: string): boolean => exchange === '' && routingKey.startsWith(REPLY_PREFIX);

/** basic.consume from amq.rabbitmq.reply-to: one no-ack consumer per channel, as RabbitMQ allows. */
export function consumeReplies(ch: Channel, m: BasicConsume, tag: string): void {
  if (!m.noAck) throw new AmqpError(ReplyCode.PreconditionFailed, 'reply consumer cannot acknowledge');
  if (ch.replyConsumer) throw new AmqpError(ReplyCode.PreconditionFailed, 'reply consumer already set');
  ch.replyConsumer = ch.conn.ctx.replyConsumers.add(ch, tag);
  if (!m.nowait) ch.send({ name: 'basic.consume-ok', consumerTag: tag });
}

/** Ends the channel's reply consumer, if it has one: replies to its key are unroutable from now on. */
export function stopReplies(ch: Channel): void {
  if (!ch.replyConsumer) return;
  ch.conn.ctx.replyConsumers.remove(ch.replyConsumer);
  ch.replyConsumer = null;
}

/**
 * A request (one with a reply_to) asking for a direct reply names the channel's reply key in its reply_to.
 * Without a reply consumer on the channel it is refused (406), as RabbitMQ refuses it.
 */
export function withReplyAddress(ch: Channel, msg: Message): Message {
  if (msg.properties.replyTo !== REPLY_QUEUE) return msg;
  if (!ch.replyConsumer) throw new AmqpError(ReplyCode.PreconditionFailed, 'fast reply consumer does not exist');
  return msg.withProperties({ ...msg.properties, replyTo: REPLY_PREFIX + ch.replyConsumer.key });
}
