import type { AmqpConnection } from '../amqp/connection.js';
import type { Channel } from '../amqp/channel.js';
import type { ChannelConsumer } from '../amqp/channel-consumer.js';
import type { Binding } from '../broker/binding.js';
import type { Exchange } from '../broker/exchange.js';
import type { Policy } from '../broker/policies.js';
import type { Queue } from '../broker/queue.js';
import type { User } from '../broker/users.js';
import { tableToJson } from './json-args.js';
import { round, type Rates } from './rates.js';

/** JSON shapes of RabbitMQ's management API, so its tools and dashboards read Warren unchanged. */

export function queueJson(q: Queue, node: string, rates: Rates): Record<string, unknown> {
  const o = q.options;
  const ready = q.messageCount;
  const depth = rates.rates(q, { ready, unacked: q.unacked }, ['ready', 'unacked']);
  const active = q.activeConsumer as ChannelConsumer | undefined;
  return {
    name: q.name,
    vhost: q.vhost,
    durable: o.durable,
    auto_delete: o.autoDelete,
    exclusive: o.exclusive,
    arguments: tableToJson(o.arguments),
    node,
    state: 'running',
    type: 'classic',
    messages: ready + q.unacked,
    messages_ready: ready,
    messages_unacknowledged: q.unacked,
    messages_details: { rate: round((depth['ready'] ?? 0) + (depth['unacked'] ?? 0)) },
    message_bytes: q.messages.bytes,
    message_bytes_ready: q.messages.bytes,
    consumers: q.consumerCount,
    policy: q.policy,
    operator_policy: q.operatorPolicy,
    effective_policy_definition: effectiveDefinition(q),
    single_active_consumer_tag: active?.tag ?? null,
    message_stats: rates.messageStats(q.stats),
  };
}

function effectiveDefinition(q: Queue): Record<string, unknown> {
  const s = q.settings;
  const out: Record<string, unknown> = {};
  if (s.messageTtl !== null) out['message-ttl'] = s.messageTtl;
  if (s.expires !== null) out['expires'] = s.expires;
  if (s.maxLength !== null) out['max-length'] = s.maxLength;
  if (s.maxLengthBytes !== null) out['max-length-bytes'] = s.maxLengthBytes;
  if (s.deadLetterExchange !== null) out['dead-letter-exchange'] = s.deadLetterExchange;
  if (s.deadLetterRoutingKey !== null) out['dead-letter-routing-key'] = s.deadLetterRoutingKey;
  if (s.overflow !== 'drop-head') out['overflow'] = s.overflow;
  if (s.queueMode !== 'default') out['queue-mode'] = s.queueMode;
  return out;
}

export function exchangeJson(x: Exchange, rates: Rates): Record<string, unknown> {
  const o = x.options;
  return {
    name: o.name,
    vhost: x.vhost,
    type: o.type,
    durable: o.durable,
    auto_delete: o.autoDelete,
    internal: o.internal,
    arguments: tableToJson(o.arguments),
    policy: x.policy,
    message_stats: rates.messageStats(x.stats),
  };
}

/** RabbitMQ's properties_key: '~' for an empty key without arguments, else the key, plus '~hash' with arguments. */
export function propertiesKey(b: Binding): string {
  const argKeys = Object.keys(b.arguments);
  if (argKeys.length === 0) return b.routingKey === '' ? '~' : b.routingKey;
  return `${b.routingKey}~${Buffer.from(JSON.stringify(tableToJson(b.arguments))).toString('base64url')}`;
}

export function bindingJson(b: Binding): Record<string, unknown> {
  return {
    source: b.source.name,
    vhost: b.source.vhost,
    destination: b.destination.name,
    destination_type: b.destination.kind,
    routing_key: b.routingKey,
    arguments: tableToJson(b.arguments),
    properties_key: propertiesKey(b),
  };
}

export function connectionJson(c: AmqpConnection, node: string, rates: Rates): Record<string, unknown> {
  const s = c.socket;
  const r = rates.rates(c, c, ['recvOct', 'sendOct']);
  return {
    name: c.name,
    node,
    vhost: c.vhost?.name ?? null,
    user: c.user?.name ?? null,
    state: c.stateName,
    channels: [...c.channelList].length,
    peer_host: s.remoteAddress,
    peer_port: s.remotePort,
    host: s.localAddress,
    port: s.localPort,
    protocol: 'AMQP 0-9-1',
    type: 'network',
    ssl: false,
    timeout: c.heartbeat,
    frame_max: c.frameMax,
    channel_max: c.channelMax,
    client_properties: tableToJson(c.clientProperties),
    connected_at: c.connectedAt,
    recv_oct: c.recvOct,
    send_oct: c.sendOct,
    recv_oct_details: { rate: round(r['recvOct'] ?? 0) },
    send_oct_details: { rate: round(r['sendOct'] ?? 0) },
    blocked_reason: c.blockedReason,
  };
}

export function channelJson(ch: Channel, node: string, rates: Rates): Record<string, unknown> {
  const c = ch.conn;
  return {
    name: channelName(ch),
    number: ch.id,
    node,
    connection_details: { name: c.name, peer_host: c.socket.remoteAddress, peer_port: c.socket.remotePort },
    vhost: c.vhost?.name ?? null,
    user: c.user?.name ?? null,
    state: 'running',
    consumer_count: ch.consumers.size,
    messages_unacknowledged: ch.unacked.size,
    prefetch_count: ch.consumerPrefetch,
    global_prefetch_count: ch.channelPrefetch,
    confirm: ch.confirms !== null,
    transactional: ch.tx !== null,
    message_stats: rates.messageStats(ch.stats),
  };
}

export const channelName = (ch: Channel): string => `${ch.conn.name} (${ch.id})`;

export function consumerJson(c: ChannelConsumer): Record<string, unknown> {
  const q = c.queue;
  const sac = q.options.singleActiveConsumer;
  const active = !sac || q.activeConsumer === c;
  return {
    consumer_tag: c.tag,
    queue: { name: q.name, vhost: q.vhost },
    channel_details: {
      name: channelName(c.channel),
      number: c.channel.id,
      connection_name: c.channel.conn.name,
      peer_host: c.channel.conn.socket.remoteAddress,
      peer_port: c.channel.conn.socket.remotePort,
      user: c.channel.conn.user?.name ?? null,
    },
    ack_required: !c.noAck,
    exclusive: c.exclusive,
    prefetch_count: c.prefetch,
    priority: c.priority,
    arguments: c.priority !== 0 ? { 'x-priority': c.priority } : {},
    active,
    activity_status: sac ? (active ? 'single_active' : 'waiting') : 'up',
  };
}

export function userJson(u: User): Record<string, unknown> {
  return { name: u.name, password_hash: u.passwordHash, hashing_algorithm: 'rabbit_password_hashing_sha256', tags: u.tags, limits: {} };
}

export function policyJson(p: Policy): Record<string, unknown> {
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p.applyTo, definition: p.definition, priority: p.priority };
}
