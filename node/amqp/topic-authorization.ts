import type { TopicAccess } from '../broker/topic-permissions.js';
import type { Channel } from './channel.js';

/**
 * RabbitMQ's topic authorisation: on a topic exchange, a user with a topic permission for it may publish
 * only routing keys matching its write pattern, and bind or unbind only keys matching its read pattern
 * (403 otherwise). Costs one comparison while nobody has topic permissions.
 */
export function authorizeTopic(ch: Channel, exchange: string, routingKey: string, access: TopicAccess): void {
  const topics = ch.conn.ctx.broker.topicPermissions;
  if (topics.empty || ch.vhost.exchanges.get(exchange)?.options.type !== 'topic') return;
  topics.authorize(ch.vhost.name, ch.conn.user!.name, exchange, routingKey, access);
}
