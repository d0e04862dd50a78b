import { asList, seg } from './client.js';
import { q, type Command, type Ctx } from './command.js';
import { usageError } from './exit.js';

type Row = Record<string, unknown>;
type Getter = (o: Row) => unknown;

/** A list_* command: an API list, shown as the columns asked for (rabbitmqctl's info items). */
interface Listing {
  readonly name: string;
  readonly what: string;
  readonly perVhost: boolean;
  readonly path: (ctx: Ctx) => string;
  /** every column it knows, in order; a getter where the column is not the API field of that name */
  readonly columns: readonly (string | [string, Getter])[];
  readonly defaults: readonly string[];
}

const at =
  (...path: string[]): Getter =>
  (o) =>
    path.reduce<unknown>((x, k) => (typeof x === 'object' && x !== null ? (x as Row)[k] : undefined), o);

const LISTINGS: Listing[] = [
  {
    name: 'list_queues',
    what: 'queues',
    perVhost: true,
    path: (c) => `/api/queues/${seg(c.vhost)}`,
    columns: [
      'name', 'vhost', 'durable', 'auto_delete', 'exclusive', 'arguments', 'policy', 'operator_policy', 'effective_policy_definition',
      'messages', 'messages_ready', 'messages_unacknowledged', 'message_bytes', 'message_bytes_ready', 'consumers', 'state', 'type', 'node',
      'single_active_consumer_tag', 'exclusive_consumer_tag',
    ],
    defaults: ['name', 'messages'],
  },
  {
    name: 'list_exchanges',
    what: 'exchanges',
    perVhost: true,
    path: (c) => `/api/exchanges/${seg(c.vhost)}`,
    columns: ['name', 'vhost', 'type', 'durable', 'auto_delete', 'internal', 'arguments', 'policy'],
    defaults: ['name', 'type'],
  },
  {
    name: 'list_bindings',
    what: 'bindings',
    perVhost: true,
    path: (c) => `/api/bindings/${seg(c.vhost)}`,
    columns: [
      ['source_name', at('source')],
      ['source_kind', () => 'exchange'],
      ['destination_name', at('destination')],
      ['destination_kind', at('destination_type')],
      'routing_key',
      'arguments',
      'vhost',
      'properties_key',
    ],
    defaults: ['source_name', 'source_kind', 'destination_name', 'destination_kind', 'routing_key', 'arguments'],
  },
  {
    name: 'list_connections',
    what: 'connections',
    perVhost: false,
    path: () => '/api/connections',
    columns: [
      'name', 'user', 'vhost', 'peer_host', 'peer_port', 'host', 'port', 'state', 'channels', 'protocol', 'ssl', 'timeout', 'frame_max', 'channel_max',
      'connected_at', 'recv_oct', 'send_oct', 'client_properties', 'node', 'type', 'blocked_reason',
    ],
    defaults: ['user', 'peer_host', 'peer_port', 'state'],
  },
  {
    name: 'list_channels',
    what: 'channels',
    perVhost: false,
    path: () => '/api/channels',
    columns: [
      'name', 'number', 'user', 'vhost', ['connection', at('connection_details', 'name')], 'state', 'consumer_count', 'messages_unacknowledged',
      'prefetch_count', 'global_prefetch_count', 'confirm', 'transactional',
    ],
    defaults: ['name', 'user', 'consumer_count', 'messages_unacknowledged'],
  },
  {
    name: 'list_consumers',
    what: 'consumers',
    perVhost: true,
    path: (c) => `/api/consumers/${seg(c.vhost)}`,
    columns: [
      ['queue_name', at('queue', 'name')],
      ['channel_pid', at('channel_details', 'name')],
      ['connection_name', at('channel_details', 'connection_name')],
      'consumer_tag', 'ack_required', 'prefetch_count', 'active', 'activity_status', 'exclusive', 'priority', 'arguments',
    ],
    defaults: ['queue_name', 'channel_pid', 'consumer_tag', 'ack_required', 'prefetch_count', 'active', 'arguments'],
  },
  {
    name: 'list_users',
    what: 'users',
    perVhost: false,
    path: () => '/api/users',
    columns: [['user', at('name')], 'tags'],
    defaults: ['user', 'tags'],
  },
  {
    name: 'list_vhosts',
    what: 'vhosts',
    perVhost: false,
    path: () => '/api/vhosts',
    columns: ['name', 'description', 'tags', 'tracing', 'messages', 'messages_ready', 'messages_unacknowledged'],
    defaults: ['name'],
  },
  {
    name: 'list_permissions',
    what: 'permissions',
    perVhost: true,
    path: (c) => `/api/vhosts/${seg(c.vhost)}/permissions`,
    columns: ['user', 'configure', 'write', 'read'],
    defaults: ['user', 'configure', 'write', 'read'],
  },
  ...(['policies', 'operator_policies'] as const).map(
    (kind): Listing => ({
      name: `list_${kind}`,
      what: kind.replace('_', ' '),
      perVhost: true,
      path: (c) => `/api/${kind.replace('_', '-')}/${seg(c.vhost)}`,
      columns: ['vhost', 'name', 'pattern', 'apply-to', 'definition', 'priority'],
      defaults: ['vhost', 'name', 'pattern', 'apply-to', 'definition', 'priority'],
    }),
  ),
];

/** Tags are a list in 3.10 and later, a comma-separated string before: shown as a list either way. */
const normalize = (name: string, value: unknown): unknown => (name === 'tags' && typeof value === 'string' ? value.split(',').filter(Boolean) : value);

function listCommand(l: Listing): Command {
  const names = l.columns.map((c) => (typeof c === 'string' ? c : c[0]));
  const getters = new Map<string, Getter>(l.columns.map((c) => (typeof c === 'string' ? [c, at(c)] : c)));
  return {
    name: l.name,
    usage: `${l.perVhost ? '[-p VHOST] ' : ''}[COLUMN ...]`,
    summary: `lists ${l.what}${l.perVhost ? ' in a vhost' : ''}; default columns: ${l.defaults.join(' ')}`,
    details: `Columns: ${names.join(' ')}`,
    minArgs: 0,
    maxArgs: Infinity,
    options: l.perVhost ? ['vhost'] : [],
    async run(ctx) {
      const unknown = ctx.args.filter((c) => !getters.has(c));
      if (unknown.length > 0) throw usageError(`unknown column(s) ${unknown.join(', ')}; ${l.name} knows: ${names.join(' ')}`, l.name);
      const columns = ctx.args.length > 0 ? ctx.args : l.defaults;
      ctx.out.info(`Listing ${l.what}${l.perVhost ? ` for vhost ${ctx.vhost}` : ''} ...`);
      const what = l.perVhost ? `vhost ${q(ctx.vhost)}` : l.what;
      const rows = asList(await ctx.client.get(l.path(ctx), { what }), l.what);
      ctx.out.rows(
        columns,
        rows.map((r) => Object.fromEntries(columns.map((c) => [c, normalize(c, getters.get(c)!(r))]))),
      );
    },
  };
}

export const listCommands: Command[] = LISTINGS.map(listCommand);
