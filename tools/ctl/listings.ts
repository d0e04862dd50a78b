import { seg } from './client.js';
import { at, col, fields, pidAsName, type Column } from './columns.js';
import type { Values } from './args.js';
import { q } from './command.js';
import { amqpTable, atoms, float, ip, jsonText, nodeStates, protocol } from './render.js';

/** A list_* command: an API list, shown as the columns asked for (rabbitmqctl 3.10's info items, then a few of Warren's). */
export interface Listing {
  readonly name: string;
  readonly what: string;
  /**
   * null for a listing of the whole node; per vhost (-p), what rabbitmqctl does for a vhost that does not
   * exist: lists nothing (exit 0) or refuses (exit 65)
   */
  readonly vhost: 'empty' | 'refuse' | null;
  readonly path: (vhost: string) => string;
  /** rabbitmqctl's informational lines before the listing */
  readonly info: (vhost: string, values: Values) => string[];
  readonly columns: readonly Column[];
  readonly defaults: readonly string[];
  /** rabbitmqctl prints an empty result as a value: an empty line, [] in JSON (policies) */
  readonly printsEmpty?: boolean;
}

const sortedArguments = col('arguments', { render: amqpTable(true) });
/** rabbitmqctl's value for a classic queue; quorum queues have it in the API */
const quorumOnly = (name: string): Column => col(name, { get: (o) => (o['type'] === 'classic' ? null : o[name]) });
/** Warren never mirrors queues: rabbitmqctl's value for an unmirrored queue, empty */
const unmirrored = (name: string): Column => col(name, { get: () => null });
/** the seconds rabbitmqctl's list_queues says it waits: "60.0" */
const seconds = (v: Values): string => float.text(Number(v.timeout ?? 60));

const QUEUES: Column[] = [
  ...fields('name', 'durable', 'auto_delete', 'exclusive'),
  sortedArguments,
  ...fields('policy', 'messages', 'messages_ready', 'messages_unacknowledged', 'messages_ram', 'messages_ready_ram', 'messages_unacknowledged_ram'),
  ...fields('messages_persistent', 'message_bytes', 'message_bytes_ready', 'message_bytes_unacknowledged', 'message_bytes_ram', 'message_bytes_persistent'),
  ...fields('head_message_timestamp', 'disk_reads', 'disk_writes', 'consumers', 'exclusive_consumer_tag', 'memory', 'state', 'type'),
  col('consumer_utilisation', { render: float }),
  col('consumer_capacity', { render: float }),
  col('pid', { get: () => null, note: 'pid is empty: a Warren queue is not an Erlang process' }),
  pidAsName('owner_pid', 'owning connection', (o) => (o['exclusive'] === true ? at('owner_pid_details', 'name')(o) : null)),
  // the API names the exclusive consumer's tag, not its channel (list_consumers shows that)
  col('exclusive_consumer_pid', { get: (o) => (o['exclusive_consumer_tag'] == null ? null : undefined) }),
  unmirrored('slave_pids'),
  unmirrored('synchronised_slave_pids'),
  quorumOnly('leader'),
  quorumOnly('members'),
  quorumOnly('online'),
  ...fields('vhost', 'operator_policy', 'effective_policy_definition', 'node', 'single_active_consumer_tag'),
];

const CONNECTIONS: Column[] = [
  pidAsName('pid', 'connection', at('name')),
  ...fields('name', 'port'),
  col('host', { render: ip }),
  col('peer_host', { render: ip }),
  ...fields('peer_port', 'ssl', 'peer_cert_subject', 'peer_cert_issuer', 'peer_cert_validity', 'state', 'channels'),
  col('protocol', { render: protocol }),
  ...fields('auth_mechanism', 'user', 'vhost', 'timeout', 'frame_max', 'channel_max'),
  col('client_properties', { render: amqpTable(false) }),
  ...fields('recv_oct', 'recv_cnt', 'send_oct', 'send_cnt', 'send_pend', 'connected_at'),
  ...fields('ssl_protocol', 'ssl_key_exchange', 'ssl_cipher', 'ssl_hash'),
  ...fields('node', 'type', 'blocked_reason'),
];

const CHANNELS: Column[] = [
  pidAsName('pid', 'channel', at('name')),
  pidAsName('connection', 'connection', at('connection_details', 'name')),
  ...fields('name', 'number', 'user', 'vhost', 'transactional', 'confirm', 'consumer_count', 'messages_unacknowledged'),
  ...fields('messages_uncommitted', 'acks_uncommitted', 'messages_unconfirmed', 'prefetch_count', 'global_prefetch_count', 'state'),
];

const CONSUMERS: Column[] = [
  col('queue_name', { get: at('queue', 'name') }),
  pidAsName('channel_pid', 'channel', at('channel_details', 'name')),
  ...fields('consumer_tag', 'ack_required', 'prefetch_count', 'active', 'activity_status'),
  col('arguments', { render: amqpTable(false) }),
  col('connection_name', { get: at('channel_details', 'connection_name') }),
  ...fields('exclusive', 'priority'),
];

/**
 * A per-vhost listing at /api/{api}/{vhost}, by default of all its columns; a vhost that does not exist
 * lists nothing, as in rabbitmqctl.
 */
const perVhostListing = (name: string, api: string, columns: Column[], info: Listing['info'], defaults = columns.map((c) => c.name)): Listing => ({
  name,
  what: api,
  vhost: 'empty',
  path: (vhost) => `/api/${api}/${seg(vhost)}`,
  info,
  columns,
  defaults,
});

const nodeListing = (name: string, what: string, columns: Column[], defaults: string[]): Listing => ({
  name,
  what,
  vhost: null,
  path: () => `/api/${what}`,
  info: () => [`Listing ${what} ...`],
  columns,
  defaults,
});

const POLICIES: Column[] = [...fields('vhost', 'name', 'pattern', 'apply-to'), col('definition', { render: jsonText }), col('priority')];

const policyListing = (kind: 'policies' | 'operator_policies', label: string): Listing => ({
  ...perVhostListing(`list_${kind}`, kind.replace('_', '-'), POLICIES, (vhost) => [`Listing ${label} for vhost ${q(vhost)} ...`]),
  what: kind.replace('_', ' '),
  vhost: 'refuse',
  printsEmpty: true,
});

const EXCHANGES: Column[] = [...fields('name', 'type', 'durable', 'auto_delete', 'internal'), sortedArguments, ...fields('policy', 'vhost')];

const BINDINGS: Column[] = [
  col('source_name', { get: at('source') }),
  col('source_kind', { get: () => 'exchange' }),
  col('destination_name', { get: at('destination') }),
  col('destination_kind', { get: at('destination_type') }),
  col('routing_key'),
  sortedArguments,
  ...fields('vhost', 'properties_key'),
];

const VHOSTS: Column[] = [
  ...fields('name', 'description'),
  col('tags', { render: atoms }),
  col('default_queue_type'),
  col('cluster_state', { render: nodeStates }),
  ...fields('tracing', 'messages', 'messages_ready', 'messages_unacknowledged'),
];

export const LISTINGS: Listing[] = [
  perVhostListing('list_queues', 'queues', QUEUES, (v, values) => [`Timeout: ${seconds(values)} seconds ...`, `Listing queues for vhost ${v} ...`], ['name', 'messages']),
  perVhostListing('list_exchanges', 'exchanges', EXCHANGES, (v) => [`Listing exchanges for vhost ${v} ...`], ['name', 'type']),
  perVhostListing('list_bindings', 'bindings', BINDINGS, (v) => [`Listing bindings for vhost ${v}...`], ['source_name', 'source_kind', 'destination_name', 'destination_kind', 'routing_key', 'arguments']),
  perVhostListing('list_consumers', 'consumers', CONSUMERS, (v) => [`Listing consumers in vhost ${v} ...`], ['queue_name', 'channel_pid', 'consumer_tag', 'ack_required', 'prefetch_count', 'active', 'arguments']),
  nodeListing('list_connections', 'connections', CONNECTIONS, ['user', 'peer_host', 'peer_port', 'state']),
  nodeListing('list_channels', 'channels', CHANNELS, ['pid', 'user', 'consumer_count', 'messages_unacknowledged']),
  nodeListing('list_users', 'users', [col('user', { get: at('name') }), col('tags', { render: atoms })], ['user', 'tags']),
  nodeListing('list_vhosts', 'vhosts', VHOSTS, ['name']),
  {
    ...perVhostListing('list_permissions', 'permissions', fields('user', 'configure', 'write', 'read'), (v) => [`Listing permissions for vhost ${q(v)} ...`]),
    path: (vhost) => `/api/vhosts/${seg(vhost)}/permissions`,
    vhost: 'refuse',
  },
  policyListing('policies', 'policies'),
  policyListing('operator_policies', 'operator policy overrides'),
];
