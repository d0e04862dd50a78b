/**
 * Prometheus metrics as rabbitmq_prometheus serves them: every name the official RabbitMQ-Overview
 * Grafana dashboard reads (its 3.10.0, 3.10.8 and current versions) with rabbitmq_prometheus' type, but
 * for the few Warren cannot measure; counters that never go down when a connection closes and its
 * queue goes; /metrics aggregated, /metrics/per-object labelled per queue, channel and connection, and
 * /metrics/detailed with its family and vhost parameters.
 */
import t from 'tap';
import { RABBITMQ_API_VERSION } from '../../node/mgmt/routes/overview.js';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, enc, publish } from './fixtures/api.js';

const node = await startTestNode();
t.teardown(() => node.close());
const base = `http://127.0.0.1:${node.node.mgmt.port}`;
const api = new Api(base);

async function scrape(path = '/metrics'): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(15_000) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Each series' value by name and labels, as written. */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** The metric names the RabbitMQ-Overview dashboards query (rabbitmq-server deps/rabbitmq_prometheus/docker/grafana). */
const DASHBOARD = [
  ...['connections', 'channels', 'consumers', 'queues'].map((n) => `rabbitmq_${n}`),
  ...['connections_opened', 'connections_closed', 'channels_opened', 'channels_closed', 'queues_declared', 'queues_created', 'queues_deleted'].map((n) => `rabbitmq_${n}_total`),
  'rabbitmq_queue_messages_ready',
  'rabbitmq_queue_messages_unacked',
  'rabbitmq_queue_messages_published_total',
  'rabbitmq_channel_consumers',
  'rabbitmq_channel_messages_unconfirmed',
  ...['published', 'confirmed', 'delivered', 'delivered_ack', 'redelivered', 'acked', 'unroutable_dropped', 'unroutable_returned'].map((n) => `rabbitmq_channel_messages_${n}_total`),
  ...['get', 'get_ack', 'get_empty'].map((n) => `rabbitmq_channel_${n}_total`),
  ...[
    'received',
    'received_confirm',
    'routed',
    'confirmed',
    'delivered',
    'delivered_consume_auto_ack',
    'delivered_consume_manual_ack',
    'delivered_get_auto_ack',
    'delivered_get_manual_ack',
    'get_empty',
    'redelivered',
    'acknowledged',
    'unroutable_dropped',
    'unroutable_returned',
  ].map((n) => `rabbitmq_global_messages_${n}_total`),
  'rabbitmq_global_publishers',
  'rabbitmq_global_consumers',
  'rabbitmq_process_resident_memory_bytes',
  'rabbitmq_resident_memory_limit_bytes',
  'rabbitmq_disk_space_available_bytes',
  'rabbitmq_disk_space_available_limit_bytes',
  'rabbitmq_process_open_tcp_sockets',
  'rabbitmq_erlang_uptime_seconds',
  'rabbitmq_build_info',
  'rabbitmq_identity_info',
  // from /proc: Linux only
  ...(process.platform === 'linux' ? ['rabbitmq_process_open_fds', 'rabbitmq_process_max_fds'] : []),
];
/**
 * Dashboard names Warren leaves out: rabbitmq_process_max_tcp_sockets (Warren sets no socket limit of its
 * own) and the rabbitmq_message_size_bytes histogram (RabbitMQ 4's; Warren keeps no message sizes).
 */
const typeOf = (name: string): string => (name.endsWith('_info') ? 'untyped' : name.endsWith('_total') ? 'counter' : 'gauge');

t.test('the dashboard names, typed as rabbitmq_prometheus types them', async (t) => {
  const { status, type, text } = await scrape();
  t.equal(status, 200);
  t.match(type, /^text\/plain/);
  for (const name of DASHBOARD) t.match(text, new RegExp(`^# TYPE ${name} ${typeOf(name)}$`, 'm'), `${name} is a ${typeOf(name)}`);
  t.notMatch(text, /^# TYPE rabbitmq_\S+_total gauge$/m, 'no counter typed gauge');
  t.match(text, /^rabbitmq_build_info\{product_name="Warren",product_version="[^"]+",rabbitmq_version="([^"]+)"/m);
  t.ok(text.includes(`rabbitmq_version="${RABBITMQ_API_VERSION}"`), 'rabbitmq_version is the API level Warren answers as');
  t.match(text, /^rabbitmq_identity_info\{rabbitmq_node="[^"]+",rabbitmq_cluster="[^"]+"\} 1$/m);
  t.match(text, /^rabbitmq_global_messages_received_total\{protocol="amqp091"\} \d+$/m);
  t.match(text, /^rabbitmq_global_messages_acknowledged_total\{protocol="amqp091",queue_type="rabbit_classic_queue"\} \d+$/m);
  t.match(text, /^warren_process_cpu_user_seconds_total /m, "the Node.js runtime's own metrics follow");
});

t.test('counters never go down when a connection closes and its queue goes', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/metrics.gone', { durable: false, auto_delete: false });
  const { conn, ch } = await amqp(t, node.url, 'metrics-client');
  await publish(ch, '', 'metrics.gone', ['1', '2', '3']);
  await publish(ch, 'amq.direct', 'nowhere', ['returned'], { mandatory: true });
  await ch.get('metrics.gone', { noAck: true });
  await ch.get('metrics.gone', { noAck: false }).then((m) => m && ch.ack(m));
  await ch.consume('metrics.gone', (m) => m && ch.ack(m));
  await new Promise((r) => setTimeout(r, 300));
  const open = series((await scrape()).text);
  t.ok(open.get('rabbitmq_global_messages_received_total{protocol="amqp091"}')! >= 4, 'publishes counted');
  t.ok(open.get('rabbitmq_channel_messages_unroutable_returned_total')! >= 1, 'returns counted');
  await conn.close();
  await api.ok('DELETE', '/api/queues/%2F/metrics.gone');
  await new Promise((r) => setTimeout(r, 300));
  const closed = series((await scrape()).text);
  const counters = [...open.keys()].filter((k) => /^rabbitmq_\w+_total(\{|$)/.test(k));
  t.ok(counters.length >= 30, `${counters.length} counters compared`);
  t.same(
    counters.filter((k) => !(closed.get(k)! >= open.get(k)!)),
    [],
    'none went down',
  );
  t.equal(closed.get('rabbitmq_connections'), 0, 'the connection gauge did');
});

t.test('counters never go down when the broker closes a connection (an operator, a connection error)', async (t) => {
  const { ch } = await amqp(t, node.url, 'metrics-forced');
  await publish(ch, 'amq.direct', 'nowhere', ['1', '2', '3']);
  const received = 'rabbitmq_global_messages_received_total{protocol="amqp091"}';
  const open = series((await scrape()).text);
  const conns: { name: string; client_properties: { connection_name?: string } }[] = await api.json('/api/connections');
  const name = conns.find((c) => c.client_properties.connection_name === 'metrics-forced')!.name;
  await api.ok('DELETE', `/api/connections/${enc(name)}`);
  await new Promise((r) => setTimeout(r, 300));
  const closed = series((await scrape()).text);
  t.equal(closed.get('rabbitmq_connections'), open.get('rabbitmq_connections')! - 1, 'the connection is gone');
  t.ok(closed.get(received)! >= open.get(received)!, `received: ${open.get(received)} then ${closed.get(received)}`);
  t.equal(closed.get('rabbitmq_channels_closed_total'), open.get('rabbitmq_channels_closed_total')! + 1, 'its channel counted as closed');
});

t.test('/metrics/per-object: a series per queue, channel and connection; /metrics none', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/metrics.q', { durable: false });
  const { ch } = await amqp(t, node.url, 'per-object-client');
  await publish(ch, '', 'metrics.q', ['a', 'b', 'c']);
  const c = (await api.json('/api/connections')).find((c: { client_properties: { connection_name?: string } }) => c.client_properties.connection_name === 'per-object-client');
  const { text } = await scrape('/metrics/per-object');
  const all = series(text);
  const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  t.equal(all.get('rabbitmq_queue_messages_ready{vhost="/",queue="metrics.q"}'), 3);
  t.equal(all.get('rabbitmq_queue_messages{vhost="/",queue="metrics.q"}'), 3);
  t.equal(all.get('rabbitmq_queue_consumers{vhost="/",queue="metrics.q"}'), 0);
  t.equal(all.get('rabbitmq_queue_messages_published_total{queue_vhost="/",queue="metrics.q"}'), 3);
  t.equal(all.get(`rabbitmq_channel_messages_published_total{channel="${label(`${c.name} (1)`)}"}`), 3, 'channels labelled by name');
  t.ok(all.get(`rabbitmq_connection_incoming_bytes_total{channel="${label(c.name)}"}`)! > 0, 'connections labelled as rabbitmq_prometheus labels them: channel');
  t.ok(all.has('rabbitmq_connections'), 'with the totals');
  const aggregated = (await scrape()).text;
  t.notOk(aggregated.includes('metrics.q'), '/metrics names no queue');
  t.match(aggregated, /^rabbitmq_queue_messages_ready \d+$/m, 'its queues summed');
});

t.test('/metrics/detailed: the families asked for, prefixed rabbitmq_detailed_, queues of the vhosts asked for', async (t) => {
  await api.ok('PUT', '/api/vhosts/metrics-vhost', {});
  t.teardown(async () => void (await api.del('/api/vhosts/metrics-vhost')));
  await api.ok('PUT', '/api/queues/metrics-vhost/detailed.q', { durable: false });
  await api.ok('PUT', '/api/queues/%2F/detailed.other', { durable: false });
  const none = await scrape('/metrics/detailed');
  t.equal(none.status, 200);
  t.same(
    [...series(none.text).keys()].map((k) => k.replace(/\{.*/, '')),
    ['rabbitmq_build_info', 'rabbitmq_identity_info'],
    'no family asked: only the identity',
  );
  const queues = series((await scrape(`/metrics/detailed?family=queue_coarse_metrics&vhost=${enc('metrics-vhost')}`)).text);
  t.equal(queues.get('rabbitmq_detailed_queue_messages{vhost="metrics-vhost",queue="detailed.q"}'), 0);
  t.notOk([...queues.keys()].some((k) => k.includes('detailed.other')), 'only the vhost asked for');
  const both = (await scrape('/metrics/detailed?family=queue_consumer_count&family=queue_metrics')).text;
  t.equal(both.match(/^# TYPE rabbitmq_detailed_queue_consumers gauge$/gm)?.length, 1, 'queue_consumer_count left out beside queue_metrics');
  const cluster = series((await scrape('/metrics/detailed?family=vhost_status&family=exchange_bindings')).text);
  t.equal(cluster.get('rabbitmq_cluster_vhost_status{vhost="metrics-vhost"}'), 1);
  t.equal(cluster.get('rabbitmq_cluster_exchange_bindings{vhost="metrics-vhost",exchange="amq.direct",type="direct"}'), 0);
  t.equal((await scrape('/metrics/nothing')).status, 404, 'an unknown registry');
});
