/**
 * The management API's view of live clients and the node's health, against a real node: connections,
 * channels and consumers while an amqplib client is connected, closing a connection through the API,
 * health checks, the aliveness test, /metrics/per-object, and message counters that grow as messages flow.
 */
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, enc, eventually, publish } from './fixtures/api.js';

const node = await startTestNode();
t.teardown(() => node.close());
const base = `http://127.0.0.1:${node.node.mgmt.port}`;
const api = new Api(base);

type Conn = { name: string; client_properties: { connection_name?: string } };
const named = async (name: string): Promise<Conn | undefined> => (await api.json('/api/connections')).find((c: Conn) => c.client_properties.connection_name === name);

t.test('connections, channels and consumers of a connected client; DELETE closes the connection', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/live.q', { durable: false });
  const { conn, ch } = await amqp(t, node.url, 'live-client');
  await ch.prefetch(7);
  const { consumerTag } = await ch.consume('live.q', () => undefined, { noAck: false });

  const c = await eventually('the connection to be listed', () => named('live-client'));
  t.match(c, {
    name: String,
    node: String,
    vhost: '/',
    user: 'guest',
    state: 'running',
    channels: 1,
    peer_host: '127.0.0.1',
    peer_port: Number,
    port: node.port,
    protocol: 'AMQP 0-9-1',
    ssl: false,
    frame_max: Number,
    channel_max: Number,
    timeout: Number,
    connected_at: Number,
    recv_oct: Number,
    send_oct: Number,
    client_properties: { product: String, capabilities: Object },
  });
  t.match(await api.json(`/api/connections/${enc(c.name)}`), { name: c.name, user: 'guest' }, 'one connection by name');
  t.ok((await api.json('/api/vhosts/%2F/connections')).some((x: Conn) => x.name === c.name), "in the vhost's connections");
  const chans = await api.json(`/api/connections/${enc(c.name)}/channels`);
  t.match(chans, [{ name: String, number: 1, vhost: '/', user: 'guest', consumer_count: 1, prefetch_count: 7, connection_details: { name: c.name }, confirm: true, transactional: false }], "the connection's channels");
  t.match(await api.json(`/api/channels/${enc(chans[0].name)}`), { name: chans[0].name, consumer_count: 1 }, 'one channel by name');
  t.ok((await api.json('/api/channels')).some((x: { name: string }) => x.name === chans[0].name), 'in the channel list');
  const consumers = await api.json('/api/consumers/%2F');
  t.match(consumers, [{ consumer_tag: consumerTag, queue: { name: 'live.q', vhost: '/' }, ack_required: true, exclusive: false, prefetch_count: 7, channel_details: { name: chans[0].name, connection_name: c.name, user: 'guest' }, active: true }]);
  t.equal((await api.json('/api/consumers')).length, 1, 'all consumers');
  t.equal((await api.json('/api/queues/%2F/live.q')).consumers, 1, "the queue's consumer count");
  t.match(await api.json('/api/overview'), { object_totals: { connections: 1, channels: 1, consumers: 1 } }, 'overview totals');
  t.equal((await api.get('/api/connections/no-such-connection')).status, 404);

  const closed = new Promise<Error | undefined>((resolve) => conn.once('close', resolve));
  t.equal((await api.del(`/api/connections/${enc(c.name)}`, { headers: { 'X-Reason': 'closed by the api test' } })).status, 204, 'DELETE');
  const err = await closed;
  t.match(String(err?.message), /closed by the api test|CONNECTION_FORCED|320/, 'the client is told, with the reason');
  await eventually('the connection to be gone', async () => (await named('live-client')) === undefined);
  t.equal((await api.json('/api/queues/%2F/live.q')).consumers, 0, 'its consumer is gone');
  t.equal((await api.json('/api/consumers')).length, 0);
});

t.test('a management user sees only its own connections', async (t) => {
  await api.ok('PUT', '/api/vhosts/live-other', {});
  await api.ok('PUT', '/api/users/live-mgmt', { password: 'pw', tags: 'management' });
  await api.ok('PUT', '/api/permissions/live-other/live-mgmt', { configure: '.*', write: '.*', read: '.*' });
  await amqp(t, node.url, 'guest-in-root');
  await eventually('the connection to be listed', () => named('guest-in-root'));
  t.same(await api.json('/api/connections', { as: 'live-mgmt:pw' }), [], "not another user's");
  t.same(await api.json('/api/consumers', { as: 'live-mgmt:pw' }), []);
});

t.test('health checks, alarms and the aliveness test', async (t) => {
  for (const path of ['/api/health/checks/alarms', '/api/health/checks/local-alarms', '/api/health/checks/virtual-hosts']) {
    const r = await api.get(path);
    t.equal(r.status, 200, path);
    t.same(r.json, { status: 'ok' });
  }
  t.same((await api.get('/api/aliveness-test/%2F')).json, { status: 'ok' }, 'aliveness test');
  t.equal((await api.json('/api/queues/%2F/aliveness-test')).messages, 0, 'it leaves no message behind');
  t.equal((await api.get('/api/aliveness-test/no-such-vhost')).status, 404);
});

t.test('/metrics/per-object: Prometheus text with per-queue series, without auth', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/metrics.q', { durable: false });
  for (const p of ['a', 'b', 'c']) await api.ok('POST', '/api/exchanges/%2F/amq.default/publish', { routing_key: 'metrics.q', payload: p, payload_encoding: 'string', properties: {} });
  // /metrics itself aggregates, as rabbitmq_prometheus' does
  const res = await fetch(`${base}/metrics/per-object`, { signal: AbortSignal.timeout(15_000) });
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  t.match(text, /^# TYPE rabbitmq_queue_messages_ready gauge$/m, 'typed series');
  t.match(text, /^rabbitmq_queue_messages_ready\{vhost="\/",queue="metrics\.q"\} 3$/m, 'ready messages by vhost and queue');
  t.match(text, /^rabbitmq_queue_messages\{vhost="\/",queue="metrics\.q"\} 3$/m);
  t.match(text, /^rabbitmq_queue_consumers\{vhost="\/",queue="metrics\.q"\} 0$/m);
  t.match(text, /^rabbitmq_queues \d+$/m);
  t.match(text, /^rabbitmq_connections \d+$/m);
  t.match(text, /^rabbitmq_identity_info\{rabbitmq_node="[^"]+",rabbitmq_cluster="[^"]+"\} 1$/m);
});

t.test('message counters grow and carry rate fields', async (t) => {
  await api.ok('PUT', '/api/exchanges/%2F/stats.x', { type: 'fanout' });
  await api.ok('PUT', '/api/queues/%2F/stats.q', { durable: false });
  await api.ok('POST', '/api/bindings/%2F/e/stats.x/q/stats.q', {});
  const { ch } = await amqp(t, node.url, 'stats-client');
  const before = { overview: await api.json('/api/overview'), queue: await api.json('/api/queues/%2F/stats.q'), exchange: await api.json('/api/exchanges/%2F/stats.x') };
  await publish(ch, 'stats.x', '', ['1', '2', '3', '4', '5']);
  const m = await ch.get('stats.q', { noAck: false });
  if (m) ch.ack(m);
  const count = (o: { message_stats?: Record<string, number> }, k: string) => o.message_stats?.[k] ?? 0;
  // basic.ack has no reply: wait until the node has counted it
  const queue = await eventually('the ack to be counted', async () => {
    const q = await api.json('/api/queues/%2F/stats.q');
    return count(q, 'ack') > count(before.queue, 'ack') ? q : null;
  });
  t.match(queue.message_stats, { publish: Number, publish_details: { rate: Number }, deliver_get: Number, deliver_get_details: { rate: Number }, ack: Number, ack_details: { rate: Number } }, 'queue message_stats with rate fields');
  t.equal(count(queue, 'publish') - count(before.queue, 'publish'), 5, "the queue's publish counter");
  t.equal(count(queue, 'deliver_get') - count(before.queue, 'deliver_get'), 1, 'deliver_get');
  t.equal(count(queue, 'ack') - count(before.queue, 'ack'), 1, 'ack');
  t.match(queue, { messages: 4, messages_details: { rate: Number } });
  const x = await api.json('/api/exchanges/%2F/stats.x');
  t.match(x.message_stats, { publish_in: Number, publish_in_details: { rate: Number } });
  t.equal(count(x, 'publish_in') - count(before.exchange, 'publish_in'), 5, "the exchange's publish_in counter");
  const o = await api.json('/api/overview');
  t.ok(count(o, 'publish') - count(before.overview, 'publish') >= 5, 'the overview publish counter');
  const c = await named('stats-client');
  const chans = c ? await api.json(`/api/connections/${enc(c.name)}/channels`) : [];
  t.match(chans, [{ message_stats: { publish: 5, confirm: 5, publish_details: { rate: Number } } }], "the channel's publish and confirm counters");
});
