/**
 * The management API's figures beyond depth, against a real node and an amqplib client: where a queue's
 * messages are (in memory, paged out, unacknowledged), the head message's timestamp, consumer capacity,
 * idle_since, the node's churn counters, who declared an exchange, and a connection's login mechanism and
 * socket operation counts.
 */
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, eventually, publish } from './fixtures/api.js';

const node = await startTestNode();
t.teardown(() => node.close());
const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
const BODY = 'x'.repeat(100);

t.test('a lazy queue has its ready messages paged out; a normal one in memory, unacked ones counted apart', async (t) => {
  const { ch } = await amqp(t, node.url, 'memory-client');
  await ch.assertQueue('mem.lazy', { durable: true, arguments: { 'x-queue-mode': 'lazy' } });
  await ch.assertQueue('mem.normal', { durable: false });
  await publish(ch, '', 'mem.lazy', [BODY, BODY, BODY], { persistent: true });
  await publish(ch, '', 'mem.normal', [BODY, BODY], { timestamp: 1_700_000_000 });

  t.match(await api.json('/api/queues/%2F/mem.lazy'), {
    messages: 3,
    message_bytes: 300,
    message_bytes_ready: 300,
    message_bytes_paged_out: 300,
    messages_paged_out: 3,
    messages_ram: 0,
    messages_ready_ram: 0,
    message_bytes_ram: 0,
    memory: 0,
    backing_queue_status: { mode: 'lazy', len: 3 },
    recoverable_slaves: null,
  });
  t.match(await api.json('/api/queues/%2F/mem.normal'), {
    messages_ready_ram: 2,
    messages_paged_out: 0,
    message_bytes_ram: 200,
    head_message_timestamp: 1_700_000_000,
    consumer_capacity: 0,
    backing_queue_status: { mode: 'default', len: 2 },
  });

  // one delivery held unacked (prefetch 1): it leaves the ready figures for the unacknowledged ones
  await ch.prefetch(1);
  await ch.consume('mem.normal', () => undefined, { noAck: false });
  const q = await eventually('one message unacked', async () => {
    const q = await api.json('/api/queues/%2F/mem.normal');
    return q.messages_unacknowledged === 1 ? q : null;
  });
  t.match(q, {
    message_bytes: 200,
    message_bytes_ready: 100,
    message_bytes_unacknowledged: 100,
    messages_ram: 2,
    messages_ready_ram: 1,
    messages_unacknowledged_ram: 1,
    // a consumer is there but at its prefetch limit with a message waiting
    consumer_capacity: 0,
  });
  await ch.assertQueue('mem.fed', { durable: false });
  await ch.consume('mem.fed', () => undefined, { noAck: true });
  t.match(await api.json('/api/queues/%2F/mem.fed'), { consumer_capacity: 1, consumer_utilisation: 1 }, 'a consumer keeping up');
});

t.test('head_message_timestamp is null without a timestamp; idle_since appears once a queue stands still', async (t) => {
  const { ch } = await amqp(t, node.url, 'idle-client');
  await ch.assertQueue('mem.idle', { durable: false });
  await publish(ch, '', 'mem.idle', ['a']);
  const first = await api.json('/api/queues/%2F/mem.idle');
  t.equal(first.head_message_timestamp, null);
  t.equal(first.idle_since, null, 'no window sampled yet');
  const idle = await eventually('idle_since', async () => (await api.json('/api/queues/%2F/mem.idle')).idle_since, 20_000);
  t.match(idle, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/, "RabbitMQ's format");
  t.ok(Date.now() - Date.parse(idle) < 60_000, 'a recent time');
});

t.test('churn counters count connections, channels and queues', async (t) => {
  const churn = async (): Promise<Record<string, number>> => (await api.json('/api/overview')).churn_rates;
  const before = await churn();
  const { conn, ch } = await amqp(t, node.url, 'churn-client');
  await ch.assertQueue('churn.q', { durable: false });
  await ch.assertQueue('churn.q', { durable: false });
  await ch.deleteQueue('churn.q');
  const extra = await conn.createChannel();
  await extra.close();
  await conn.close();
  const after = await eventually('the connection closed', async () => {
    const c = await churn();
    return c['connection_closed']! > before['connection_closed']! ? c : null;
  });
  const delta = (k: string): number => after[k]! - before[k]!;
  t.same(
    { connection_created: delta('connection_created'), connection_closed: delta('connection_closed'), queue_declared: delta('queue_declared'), queue_created: delta('queue_created'), queue_deleted: delta('queue_deleted') },
    { connection_created: 1, connection_closed: 1, queue_declared: 2, queue_created: 1, queue_deleted: 1 },
  );
  // amqplib's confirm channel and the extra one
  t.equal(delta('channel_created'), 2);
  t.equal(delta('channel_closed'), 2);
  t.match(after, { connection_created_details: { rate: Number }, queue_deleted_details: { rate: Number } });
});

t.test('who declared an exchange; how a connection logged in and how often its socket was read and written', async (t) => {
  const { ch } = await amqp(t, node.url, 'who-client');
  await ch.assertExchange('who.x', 'topic', { durable: true });
  await api.ok('PUT', '/api/users/alice', { password: 'pw', tags: 'administrator' });
  await api.ok('PUT', '/api/permissions/%2F/alice', { configure: '.*', write: '.*', read: '.*' });
  await new Api(api.base, 'alice:pw').ok('PUT', '/api/exchanges/%2F/who.api', { type: 'direct' });
  t.equal((await api.json('/api/exchanges/%2F/who.x')).user_who_performed_action, 'guest');
  t.equal((await api.json('/api/exchanges/%2F/who.api')).user_who_performed_action, 'alice');
  t.equal((await api.json('/api/exchanges/%2F/amq.topic')).user_who_performed_action, 'rmq-internal');

  type Conn = { client_properties: { connection_name?: string }; recv_cnt: number; send_cnt: number };
  const c = await eventually('the connection', async () => ((await api.json('/api/connections')) as Conn[]).find((c) => c.client_properties.connection_name === 'who-client'));
  t.match(c, { auth_mechanism: 'PLAIN', user_who_performed_action: 'guest' });
  t.ok(c.recv_cnt >= 3 && c.send_cnt >= 3, 'socket reads and writes counted');
});
