import type { TopicAccess } from '../broker/topic-permissions.js';
import type { Channel } from './channel.js';

/**
 * RabbitMQ's topic authorisation: on a topic exchange, a user with a topic permission for it may publish
 * only routing keys matching its write pattern, and bind or unbind only keys matching its read pattern
 * (403 otherwise). Costs one comparison while nobody has topic permissions; a missing exchange is left
 * for the method to refuse.
 */
export function authorizeTopic(ch: Channel, exchange: string, routingKey: string, access: TopicAccess): void {
  const topics = ch.conn.ctx.broker.topicPermissions;
  if (topics.empty) return;
  const x = ch.vhost.exchanges.get(exchange);
  if (x) topics.authorize(x, ch.conn.user!.name, routingKey, access);
}
