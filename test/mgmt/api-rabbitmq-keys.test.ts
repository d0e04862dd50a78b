/**
 * The same scenario on a real RabbitMQ and on Warren (a topic exchange bound to a queue holding one
 * message, an amqplib connection with a consumer), then the key sets of /api/overview,
 * /api/queues/{vhost}/{name}, /api/exchanges/{vhost}/{name}, /api/bindings/{vhost}, /api/connections,
 * /api/consumers/{vhost}, /api/vhosts/{vhost}, /api/nodes, /api/vhosts/{vhost}/channels and
 * /api/channels/{name} entries compared. Every key RabbitMQ has must be in Warren's answers, but
 * for the few Warren leaves out on purpose (LEFT_OUT, each with its reason).
 * Skips, saying why, when RabbitMQ's management API or AMQP port is not reachable.
 */
import t, { type Test } from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, enc, eventually, keysOf, publish, suffix } from './fixtures/api.js';
import { againstRabbitmq, bothSides, inVhost, rabbitmqWithAmqp, type Rabbit, type Side } from './fixtures/rabbitmq-api.js';

t.setTimeout(180_000);
await againstRabbitmq(await rabbitmqWithAmqp(), main);

/** What tools and dashboards read: these must be in Warren's answers. */
const IMPORTANT: Record<string, string[]> = {
  overview: ['management_version', 'rates_mode', 'product_name', 'product_version', 'cluster_name', 'node', 'message_stats', 'queue_totals', 'object_totals', 'listeners', 'contexts'],
  queue: ['name', 'vhost', 'durable', 'auto_delete', 'exclusive', 'arguments', 'node', 'state', 'type', 'messages', 'messages_ready', 'messages_unacknowledged', 'messages_details', 'message_bytes', 'consumers', 'policy', 'operator_policy', 'effective_policy_definition', 'message_stats'],
  exchange: ['name', 'vhost', 'type', 'durable', 'auto_delete', 'internal', 'arguments', 'policy'],
  binding: ['source', 'vhost', 'destination', 'destination_type', 'routing_key', 'arguments', 'properties_key'],
  connection: ['name', 'node', 'vhost', 'user', 'state', 'channels', 'peer_host', 'peer_port', 'host', 'port', 'protocol', 'type', 'ssl', 'timeout', 'frame_max', 'channel_max', 'client_properties', 'connected_at', 'recv_oct', 'send_oct', 'recv_oct_details', 'send_oct_details'],
  consumer: ['consumer_tag', 'queue', 'channel_details', 'ack_required', 'exclusive', 'prefetch_count', 'arguments', 'active', 'activity_status'],
  'consumer.channel_details': ['name', 'number', 'connection_name', 'peer_host', 'peer_port', 'user'],
  'queue.message_stats': ['publish', 'publish_details'],
  vhost: ['name', 'description', 'tags', 'metadata', 'tracing', 'default_queue_type', 'cluster_state', 'messages', 'messages_details', 'messages_ready', 'messages_unacknowledged', 'message_stats', 'recv_oct', 'send_oct'],
  node: ['name', 'type', 'running', 'mem_used', 'mem_limit', 'mem_alarm', 'disk_free', 'disk_free_limit', 'disk_free_alarm', 'fd_used', 'fd_total', 'sockets_used', 'sockets_total', 'uptime', 'processors', 'rates_mode', 'exchange_types', 'partitions'],
  channel: ['name', 'number', 'node', 'vhost', 'user', 'state', 'connection_details', 'consumer_count', 'messages_unacknowledged', 'messages_unconfirmed', 'messages_uncommitted', 'acks_uncommitted', 'prefetch_count', 'global_prefetch_count', 'confirm', 'transactional', 'message_stats', 'idle_since'],
  'channel detail': ['name', 'consumer_details', 'publishes', 'deliveries'],
};

/** Erlang VM figures of the process behind an object: Warren's queues and connections are not processes. */
const ERLANG_PROCESS = 'describes an Erlang process; Warren runs on Node.js';
/**
 * A persistent message and a transient one paged to disk look alike in a queue's packed backlog, so the
 * count of persistent messages is not kept (RabbitMQ keeps it for its own paging decisions).
 */
const PERSISTENT = 'not kept: paged transient and persistent messages are stored alike';
/** Commands a channel waits on quorum queues' Raft logs for: Warren has neither. */
const RAFT = 'no quorum queues, so no Raft commands to wait for';
/** The Erlang VM's figures for the whole node: its processes, run queue, garbage collector and distribution. */
const ERLANG_VM = 'describes the Erlang VM (processes, run queue, garbage collector, distribution); Warren runs on Node.js';
/** Counters of RabbitMQ's own stores, which Warren's definitions log and message store are not. */
const RABBIT_STORES = "counts operations of RabbitMQ's stores (Mnesia, message store, queue index, Ra logs); Warren's stores are others";
const IO = "file I/O counts and times: Warren's stores do not count them";
const CONFIG_FILES = 'the node merges flags, environment variables and a config file, whose name it does not keep';
/** Each key and its `_details` rate. */
const withDetails = (keys: readonly string[]): string[] => keys.flatMap((k) => [k, `${k}_details`]);
const because = (reason: string, keys: readonly string[]): Record<string, string> => Object.fromEntries(keys.map((k) => [k, reason]));
const PROCESS_KEYS = ['garbage_collection', 'reductions', 'reductions_details'];
const LEFT_OUT: Record<string, Record<string, string>> = {
  queue: { ...because(ERLANG_PROCESS, PROCESS_KEYS), messages_persistent: PERSISTENT, message_bytes_persistent: PERSISTENT },
  connection: because(ERLANG_PROCESS, PROCESS_KEYS),
  channel: { ...because(ERLANG_PROCESS, PROCESS_KEYS), pending_raft_commands: RAFT },
  'channel detail': { ...because(ERLANG_PROCESS, PROCESS_KEYS), pending_raft_commands: RAFT },
  node: {
    ...because(ERLANG_VM, [...withDetails(['proc_used', 'gc_num', 'gc_bytes_reclaimed', 'context_switches']), 'proc_total', 'run_queue', 'net_ticktime', 'metrics_gc_queue_length']),
    ...because(RABBIT_STORES, [...withDetails(['mnesia_disk_tx_count', 'mnesia_ram_tx_count', 'msg_store_read_count', 'msg_store_write_count', 'queue_index_read_count', 'queue_index_write_count']), 'ra_open_file_metrics']),
    ...because(IO, withDetails(['read_avg_time', 'read_bytes', 'read_count', 'reopen_count', 'seek_avg_time', 'seek_count', 'sync_avg_time', 'sync_count', 'write_avg_time', 'write_bytes', 'write_count'].map((k) => `io_${k}`))),
    config_files: CONFIG_FILES,
  },
};

type Shapes = Record<string, unknown>;

/** The scenario on one broker; the objects whose keys are compared. */
async function scenario(t: Test, side: Side, connName: string): Promise<Shapes> {
  const { api, vhost } = side;
  const v = enc(vhost);
  await api.ok('PUT', `/api/exchanges/${v}/k.x`, { type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} });
  await api.ok('PUT', `/api/queues/${v}/k.q`, { durable: true, auto_delete: false, arguments: { 'x-max-length': 10 } });
  await api.ok('PUT', `/api/queues/${v}/k.consumed`, { durable: true, auto_delete: false, arguments: {} });
  await api.ok('POST', `/api/bindings/${v}/e/k.x/q/k.q`, { routing_key: 'k.key', arguments: {} });
  await api.ok('POST', `/api/bindings/${v}/e/k.x/q/k.consumed`, { routing_key: 'k.#', arguments: {} });
  const { ch } = await amqp(t, inVhost(side.amqpUrl, vhost), connName);
  await publish(ch, 'k.x', 'k.key', ['one']);
  await ch.prefetch(5);
  await ch.consume('k.consumed', () => undefined, { noAck: false });
  // RabbitMQ's statistics arrive every few seconds: wait until they show what the scenario did
  const queue = await eventually('queue stats', async () => {
    const q = (await api.get(`/api/queues/${v}/k.q`)).json;
    return q?.messages === 1 && q.message_stats && 'state' in q ? q : null;
  }, 30_000);
  const connection = await eventually('the connection', async () => {
    const all: Record<string, unknown>[] = (await api.get('/api/connections')).json ?? [];
    const c = all.find((c) => (c['client_properties'] as { connection_name?: string } | undefined)?.connection_name === connName);
    return c && 'recv_oct' in c && 'channels' in c ? c : null;
  }, 30_000);
  const consumer = await eventually('the consumer', async () => ((await api.get(`/api/consumers/${v}`)).json ?? [])[0], 30_000);
  const vhostStats = await eventually('vhost stats', async () => {
    const x = (await api.get(`/api/vhosts/${v}`)).json;
    return x && 'message_stats' in x && 'messages' in x && 'recv_oct' in x ? x : null;
  }, 30_000);
  const channel = await eventually('the channel', async () => {
    const all: { name: string; connection_details?: { name: string } }[] = (await api.get(`/api/vhosts/${v}/channels`)).json ?? [];
    const c = all.find((c) => c.connection_details?.name === connection['name']);
    return c && 'message_stats' in c && 'idle_since' in c ? c : null;
  }, 30_000);
  const bindings = (await api.json(`/api/bindings/${v}`)).filter((b: { source: string }) => b.source === 'k.x');
  const binding = bindings.find((b: { routing_key: string }) => b.routing_key === 'k.key');
  const hashKey = bindings.find((b: { routing_key: string }) => b.routing_key === 'k.#');
  return {
    overview: await api.json('/api/overview'),
    queue,
    'queue.message_stats': queue.message_stats,
    exchange: await api.json(`/api/exchanges/${v}/k.x`),
    binding,
    hashKey,
    connection,
    consumer,
    'consumer.channel_details': consumer.channel_details,
    vhost: vhostStats,
    node: (await api.json('/api/nodes'))[0],
    channel,
    'channel detail': await api.json(`/api/channels/${enc(channel.name)}`),
  };
}

async function main(rabbit: Rabbit & { amqpUrl: string }): Promise<void> {
  const warren = await startTestNode();
  t.teardown(() => warren.close());
  const w = new Api(`http://127.0.0.1:${warren.node.mgmt.port}`);

  t.test(`key sets: RabbitMQ ${rabbit.version} vs Warren`, async (t) => {
    const [r, mine] = await bothSides(t, rabbit, { api: w, amqpUrl: warren.url }, 'warren-keys');
    const name = `warren-keys-${suffix()}`;
    const theirs = await scenario(t, r, name);
    const ours = await scenario(t, mine, name);

    const report: string[] = [];
    for (const what of Object.keys(IMPORTANT)) {
      const rk = keysOf(theirs[what]);
      const wk = new Set(keysOf(ours[what]));
      const important = IMPORTANT[what]!;
      t.same(important.filter((k) => !wk.has(k)), [], `${what}: Warren has the keys tools read`);
      const sharedImportant = important.filter((k) => !rk.includes(k));
      if (sharedImportant.length > 0) t.comment(`${what}: keys expected of Warren that this RabbitMQ lacks: ${sharedImportant.join(', ')}`);
      const missing = rk.filter((k) => !wk.has(k));
      const extra = [...wk].filter((k) => !rk.includes(k));
      report.push(`${what}: missing in Warren [${missing.join(', ')}]; only in Warren [${extra.join(', ')}]`);
      const leftOut = LEFT_OUT[what] ?? {};
      t.same(
        missing.filter((k) => !(k in leftOut)),
        [],
        `${what}: every key RabbitMQ has, but for those left out on purpose`,
      );
      for (const k of missing.filter((k) => k in leftOut)) t.comment(`${what}.${k} left out: ${leftOut[k]}`);
    }
    for (const line of report) t.comment(line);
    const key = (s: Shapes, which: string) => (s[which] as { properties_key: string }).properties_key;
    t.equal(key(ours, 'binding'), key(theirs, 'binding'), 'the same properties_key for a plain routing key');
    t.comment(`properties_key of routing key 'k.#': RabbitMQ ${JSON.stringify(key(theirs, 'hashKey'))}, Warren ${JSON.stringify(key(ours, 'hashKey'))}`);
    t.equal(key(ours, 'hashKey'), key(theirs, 'hashKey'), "the same properties_key for a routing key with '#'");
  });
}
