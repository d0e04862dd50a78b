import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { AmqpConnection } from '../amqp/connection.js';
import type { Channel } from '../amqp/channel.js';
import type { ChannelConsumer } from '../amqp/channel-consumer.js';
import type { Binding } from '../broker/binding.js';
import type { VhostMetadata } from '../broker/broker.js';
import type { Exchange } from '../broker/exchange.js';
import type { Limits } from '../broker/limits.js';
import { effectiveDefinition, type Policy } from '../broker/policies.js';
import type { Queue } from '../broker/queue.js';
import type { User } from '../broker/users.js';
import type { Vhost } from '../broker/vhost.js';
import { propertiesKey } from './binding-key.js';
import { tableToJson } from './json-args.js';
import { messageStats } from './message-stats.js';
import { round, type Rates } from './rates.js';

/** JSON shapes of RabbitMQ's management API, so its tools and dashboards read Warren unchanged. */

/** A count with its rate beside it, as RabbitMQ shows them: `key` and `key_details: { rate }`. */
export const withRate = (key: string, count: number, rate: number): Record<string, unknown> => ({ [key]: count, [`${key}_details`]: { rate: round(rate) } });

/** What a queue's JSON needs besides the queue. */
export interface QueueView {
  readonly vhost: Vhost;
  readonly node: string;
  readonly rates: Rates;
  /** The queue's consumers on this node's connections. */
  readonly consumers: readonly ChannelConsumer[];
}

export function queueJson(q: Queue, view: QueueView): Record<string, unknown> {
  const o = q.options;
  const ready = q.messageCount;
  const depth = view.rates.rates(q, { ready, unacked: q.unacked }, ['ready', 'unacked']);
  const stats = messageStats(view.rates, 'queue', q.stats, q);
  const active = q.activeConsumer as ChannelConsumer | undefined;
  const v = view.vhost;
  return {
    name: q.name,
    vhost: q.vhost,
    durable: o.durable,
    auto_delete: o.autoDelete,
    exclusive: o.exclusive,
    arguments: tableToJson(o.arguments),
    node: view.node,
    state: 'running',
    type: 'classic',
    messages: ready + q.unacked,
    messages_ready: ready,
    messages_unacknowledged: q.unacked,
    messages_details: { rate: round((depth['ready'] ?? 0) + (depth['unacked'] ?? 0)) },
    messages_ready_details: { rate: round(depth['ready'] ?? 0) },
    messages_unacknowledged_details: { rate: round(depth['unacked'] ?? 0) },
    ...memoryJson(q),
    consumers: q.consumerCount,
    consumer_capacity: consumerCapacity(q),
    consumer_utilisation: consumerCapacity(q),
    policy: q.policy,
    operator_policy: q.operatorPolicy,
    effective_policy_definition: effectiveDefinition(named(v.policies, q.policy), named(v.operatorPolicies, q.operatorPolicy)),
    single_active_consumer_tag: active?.tag ?? null,
    exclusive_consumer_tag: view.consumers.find((c) => c.exclusive)?.tag ?? null,
    message_stats: stats,
    head_message_timestamp: headTimestamp(q),
    idle_since: view.rates.idleSince(q),
    backing_queue_status: backingQueueStatus(q, stats),
    // mirrors come with clustering; RabbitMQ shows null for a queue without them
    recoverable_slaves: null,
  };
}

/**
 * Where a queue's messages are: in memory or only on disk (lazy queues, paging, recovered messages not read
 * yet). `memory` is the bytes of message bodies the queue holds in memory (RabbitMQ's is its Erlang
 * process's size, which Warren has no equivalent of).
 */
function memoryJson(q: Queue): Record<string, number> {
  const r = q.messages.tally;
  const u = q.unackedTally;
  const ramBytes = r.inMemoryBytes + u.inMemoryBytes;
  return {
    message_bytes: r.bytes + u.bytes,
    message_bytes_ready: r.bytes,
    message_bytes_unacknowledged: u.bytes,
    message_bytes_ram: ramBytes,
    message_bytes_paged_out: r.onDiskBytes,
    messages_ram: r.inMemory + u.inMemory,
    messages_ready_ram: r.inMemory,
    messages_unacknowledged_ram: u.inMemory,
    messages_paged_out: r.onDisk,
    memory: ramBytes,
  };
}

/**
 * RabbitMQ's consumer capacity: the share of time the queue could hand a message to a consumer at once.
 * Sampled when read: 1 while consumers keep up (nothing waits), 0 without consumers or when all of them
 * are at their prefetch limit with messages waiting.
 */
const consumerCapacity = (q: Queue): number => (q.consumerCount > 0 && q.messageCount === 0 ? 1 : 0);

/** The timestamp property of the message at the head, when its properties are in memory (null otherwise). */
export function headTimestamp(q: Queue): number | null {
  return q.messages.peek()?.msg?.properties.timestamp ?? null;
}

/** The parts of RabbitMQ's backing_queue_status that mean the same in Warren (its q1..q4 and delta do not). */
function backingQueueStatus(q: Queue, stats: Record<string, unknown> | undefined): Record<string, unknown> {
  const rate = (key: string): number => (stats?.[`${key}_details`] as { rate: number } | undefined)?.rate ?? 0;
  return {
    mode: q.lazy ? 'lazy' : 'default',
    len: q.messageCount,
    target_ram_count: q.lazy ? 0 : 'infinity',
    avg_ingress_rate: rate('publish'),
    avg_egress_rate: rate('deliver_get'),
    avg_ack_ingress_rate: rate('deliver') + rate('get'),
    avg_ack_egress_rate: rate('ack'),
  };
}

const named = (policies: ReadonlyMap<string, Policy>, name: string | null): Policy | undefined => (name === null ? undefined : policies.get(name));

/** One queue, as GET /api/queues/{vhost}/{name} shows it: with its consumers. */
export function queueDetailJson(q: Queue, view: QueueView): Record<string, unknown> {
  return {
    ...queueJson(q, view),
    consumer_details: view.consumers.map((c) => consumerJson(c, view.node)),
    // per-publisher and per-consumer-channel breakdowns, which the basic rates mode does not keep
    incoming: [],
    deliveries: [],
  };
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
    user_who_performed_action: o.declaredBy,
    message_stats: messageStats(rates, 'exchange', x.stats),
  };
}

/** One exchange, as GET /api/exchanges/{vhost}/{name} shows it. */
export function exchangeDetailJson(x: Exchange, rates: Rates): Record<string, unknown> {
  // per-channel and per-queue breakdowns, which the basic rates mode does not keep
  return { ...exchangeJson(x, rates), incoming: [], outgoing: [] };
}

export function bindingJson(b: Binding): Record<string, unknown> {
  return {
    source: b.source.name,
    vhost: b.source.vhost,
    destination: b.destination.name,
    destination_type: b.destination.kind,
    routing_key: b.routingKey,
    arguments: tableToJson(b.arguments),
    properties_key: propertiesKey(b.routingKey, b.arguments),
  };
}

/** A queue's implicit binding from the default exchange, which RabbitMQ lists among the bindings. */
export function defaultBindingJson(vhost: string, queue: string): Record<string, unknown> {
  return { source: '', vhost, destination: queue, destination_type: 'queue', routing_key: queue, arguments: {}, properties_key: propertiesKey(queue, {}) };
}

/** A connection's TLS fields as RabbitMQ names them (null over plain TCP or without a client certificate). */
function tlsJson(s: Socket): Record<string, unknown> {
  const tls = s instanceof TLSSocket ? s : null;
  const cipher = tls?.getCipher();
  const cert = tls?.getPeerCertificate();
  const has = cert !== undefined && Object.keys(cert).length > 0;
  const dn = (o: Record<string, unknown> | undefined): string | null => (o ? Object.entries(o).map(([k, v]) => `${k}=${String(v)}`).join(',') : null);
  return {
    ssl: tls !== null,
    ssl_protocol: tls?.getProtocol()?.toLowerCase() ?? null,
    ssl_key_exchange: null, // Node does not report it for TLS 1.3
    ssl_cipher: cipher?.standardName ?? null,
    ssl_hash: /_SHA(\d+)$/.exec(cipher?.standardName ?? '')?.[1]?.replace(/^/, 'sha') ?? null,
    peer_cert_subject: has ? dn(cert.subject as unknown as Record<string, unknown>) : null,
    peer_cert_issuer: has ? dn(cert.issuer as unknown as Record<string, unknown>) : null,
    peer_cert_validity: has ? `${cert.valid_from} - ${cert.valid_to}` : null,
  };
}

export function connectionJson(c: AmqpConnection, node: string, rates: Rates): Record<string, unknown> {
  const a = c.addresses;
  const r = rates.rates(c, c, ['recvOct', 'sendOct']);
  const userName = c.clientProperties['connection_name'];
  return {
    name: c.name,
    node,
    vhost: c.vhost?.name ?? null,
    user: c.user?.name ?? null,
    user_who_performed_action: c.user?.name ?? null,
    state: c.stateName,
    channels: c.channelCount,
    peer_host: a.srcAddress,
    peer_port: a.srcPort,
    host: a.dstAddress,
    port: a.dstPort,
    protocol: 'AMQP 0-9-1',
    type: 'network',
    ...tlsJson(c.socket),
    timeout: c.heartbeat,
    frame_max: c.frameMax,
    channel_max: c.channelMax,
    client_properties: tableToJson(c.clientProperties),
    ...(typeof userName === 'string' ? { user_provided_name: userName } : {}),
    connected_at: c.connectedAt,
    recv_oct: c.recvOct,
    send_oct: c.sendOct,
    recv_oct_details: { rate: round(r['recvOct'] ?? 0) },
    send_oct_details: { rate: round(r['sendOct'] ?? 0) },
    recv_cnt: c.recvCnt,
    send_cnt: c.sendCnt,
    auth_mechanism: c.authMechanism,
    send_pend: c.socket.writableLength,
    blocked_reason: c.blockedReason,
  };
}

export function channelJson(ch: Channel, node: string, rates: Rates): Record<string, unknown> {
  const c = ch.conn;
  // deliveries acknowledged in a transaction not yet committed count as acknowledged, as in RabbitMQ
  const acksUncommitted = ch.tx?.settlements(ch.unacked) ?? 0;
  return {
    name: channelName(ch),
    number: ch.id,
    node,
    connection_details: { name: c.name, peer_host: c.addresses.srcAddress, peer_port: c.addresses.srcPort },
    vhost: c.vhost?.name ?? null,
    user: c.user?.name ?? null,
    user_who_performed_action: c.user?.name ?? null,
    state: 'running',
    consumer_count: ch.consumers.size,
    messages_unacknowledged: ch.unacked.size - acksUncommitted,
    messages_unconfirmed: ch.confirms?.unconfirmed ?? 0,
    messages_uncommitted: ch.tx?.publishes ?? 0,
    acks_uncommitted: acksUncommitted,
    prefetch_count: ch.consumerPrefetch,
    global_prefetch_count: ch.channelPrefetch,
    confirm: ch.confirms !== null,
    transactional: ch.tx !== null,
    message_stats: messageStats(rates, 'channel', ch.stats),
    idle_since: rates.idleSince(ch.stats),
  };
}

/** One channel, as GET /api/channels/{name} shows it: with its consumers. */
export function channelDetailJson(ch: Channel, node: string, rates: Rates): Record<string, unknown> {
  return {
    ...channelJson(ch, node, rates),
    consumer_details: [...ch.consumers.values()].map((c) => consumerJson(c, node)),
    // per-exchange and per-queue breakdowns, which the basic rates mode does not keep
    publishes: [],
    deliveries: [],
  };
}

export const channelName = (ch: Channel): string => `${ch.conn.name} (${ch.id})`;

export function consumerJson(c: ChannelConsumer, node: string): Record<string, unknown> {
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
      peer_host: c.channel.conn.addresses.srcAddress,
      peer_port: c.channel.conn.addresses.srcPort,
      user: c.channel.conn.user?.name ?? null,
      node,
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

/** A user as /api/users and the definitions show it: with its limits. */
export function userJson(u: User, limits: Limits): Record<string, unknown> {
  return { name: u.name, password_hash: u.passwordHash, hashing_algorithm: u.hashing, tags: u.tags, limits };
}

export const NO_METADATA: VhostMetadata = { description: '', tags: [] };

export function vhostJson(name: string, node: string, metadata = NO_METADATA): Record<string, unknown> {
  const { description, tags } = metadata;
  return {
    name,
    description,
    tags,
    // RabbitMQ 3.10's word for a vhost without a default queue type of its own: its queues are classic
    default_queue_type: 'undefined',
    metadata: { description, tags },
    tracing: false,
    cluster_state: { [node]: 'running' },
  };
}

export function policyJson(p: Policy): Record<string, unknown> {
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p.applyTo, definition: p.definition, priority: p.priority };
}
