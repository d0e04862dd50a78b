import type { ExchangeBind, ExchangeDeclare, ExchangeDelete, ExchangeUnbind } from '../../shared/amqp/index.js';
import type { Channel } from './channel.js';
import { authorizeTopic } from './topic-authorization.js';

export function exchangeDeclare(ch: Channel, m: ExchangeDeclare): void {
  if (!m.passive) ch.authorize('configure', 'exchange', m.exchange);
  ch.vhost.declareExchange({
    name: m.exchange,
    type: m.type,
    passive: m.passive,
    durable: m.durable,
    autoDelete: m.autoDelete,
    internal: m.internal,
    arguments: m.arguments,
    declaredBy: ch.conn.user!.name,
  });
  if (!m.nowait) ch.send({ name: 'exchange.declare-ok' });
}

export function exchangeDelete(ch: Channel, m: ExchangeDelete): void {
  ch.authorize('configure', 'exchange', m.exchange);
  ch.vhost.deleteExchange(m.exchange, m.ifUnused);
  if (!m.nowait) ch.send({ name: 'exchange.delete-ok' });
}

/** Exchange-to-exchange binding: write access to the destination, read access to the source. */
export function exchangeBind(ch: Channel, m: ExchangeBind): void {
  ch.authorize('write', 'exchange', m.destination);
  ch.authorize('read', 'exchange', m.source);
  authorizeTopic(ch, m.source, m.routingKey, 'read');
  ch.vhost.bind(m.source, ch.vhost.exchange(m.destination), m.routingKey, m.arguments);
  if (!m.nowait) ch.send({ name: 'exchange.bind-ok' });
}

export function exchangeUnbind(ch: Channel, m: ExchangeUnbind): void {
  ch.authorize('write', 'exchange', m.destination);
  ch.authorize('read', 'exchange', m.source);
  authorizeTopic(ch, m.source, m.routingKey, 'read');
  ch.vhost.unbind(m.source, ch.vhost.exchange(m.destination), m.routingKey, m.arguments);
  if (!m.nowait) ch.send({ name: 'exchange.unbind-ok' });
}
