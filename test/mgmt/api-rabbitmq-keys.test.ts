/**
 * The same scenario on a real RabbitMQ and on Warren (a topic exchange bound to a queue holding one
 * message, an amqplib connection with a consumer), then the key sets of /api/overview,
 * /api/queues/{vhost}/{name}, /api/exchanges/{vhost}/{name}, /api/bindings/{vhost}, /api/connections
 * and /api/consumers/{vhost} entries compared. Every key RabbitMQ has must be in Warren's answers, but
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
};

/** Erlang VM figures of the process behind an object: Warren's queues and connections are not processes. */
const ERLANG_PROCESS = 'describes an Erlang process; Warren runs on Node.js';
/**
 * A persistent message and a transient one paged to disk look alike in a queue's packed backlog, so the
 * count of persistent messages is not kept (RabbitMQ keeps it for its own paging decisions).
 */
const PERSISTENT = 'not kept: paged transient and persistent messages are stored alike';
const LEFT_OUT: Record<string, Record<string, string>> = {
  queue: { garbage_collection: ERLANG_PROCESS, reductions: ERLANG_PROCESS, reductions_details: ERLANG_PROCESS, messages_persistent: PERSISTENT, message_bytes_persistent: PERSISTENT },
  connection: { garbage_collection: ERLANG_PROCESS, reductions: ERLANG_PROCESS, reductions_details: ERLANG_PROCESS },
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
