/**
 * Rates on the first read after traffic, and the overview's counters: an amqplib client publishes a few
 * hundred messages a second for 6.5 s to a fresh node while a consumer acks them, then the queue, the
 * exchange, the channels, the connection and the overview are each read once, and each shows a rate.
 * The overview counts what channels count (confirms, returns, drops, get-empty included) and never goes
 * down when connections close and queues and exchanges are deleted.
 */
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, enc, eventually, publish } from './fixtures/api.js';

const node = await startTestNode();
t.teardown(() => node.close());
const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);

type Stats = Record<string, number | { rate: number }>;
const rate = (stats: Stats | undefined, key: string): number => (stats?.[`${key}_details`] as { rate: number } | undefined)?.rate ?? 0;

t.test('every object has a rate on its first read after traffic', async (t) => {
  await api.ok('PUT', '/api/exchanges/%2F/rates.x', { type: 'direct' });
  await api.ok('PUT', '/api/queues/%2F/rates.q', { durable: false });
  await api.ok('POST', '/api/bindings/%2F/e/rates.x/q/rates.q', { routing_key: 'k' });
  const { conn, ch } = await amqp(t, node.url, 'rates-client');
  const consuming = await conn.createChannel();
  await consuming.consume('rates.q', (m) => m && consuming.ack(m));
  const end = Date.now() + 6500;
  let sent = 0;
  while (Date.now() < end) {
    await publish(ch, 'rates.x', 'k', Array.from({ length: 20 }, () => 'm'));
    sent += 20;
    await new Promise((r) => setTimeout(r, 40));
  }
  t.ok(sent > 500, `published ${sent} messages`);

  const queue = await api.json('/api/queues/%2F/rates.q');
  t.ok(rate(queue.message_stats, 'publish') > 0, `queue publish rate ${rate(queue.message_stats, 'publish')}`);
  t.ok(rate(queue.message_stats, 'deliver_get') > 0, 'queue deliver_get rate');
  const exchange = await api.json('/api/exchanges/%2F/rates.x');
  t.ok(rate(exchange.message_stats, 'publish_in') > 0, `exchange publish_in rate ${rate(exchange.message_stats, 'publish_in')}`);
  const c = (await api.json('/api/connections')).find((c: { client_properties: { connection_name?: string } }) => c.client_properties.connection_name === 'rates-client');
  t.ok(c.recv_oct_details.rate > 0, `connection recv_oct rate ${c.recv_oct_details.rate}`);
  const channels: { number: number; message_stats: Stats }[] = await api.json(`/api/connections/${enc(c.name)}/channels`);
  const byNumber = (n: number) => channels.find((c) => c.number === n)?.message_stats;
  t.ok(rate(byNumber(1), 'publish') > 0, `publishing channel's publish rate ${rate(byNumber(1), 'publish')}`);
  t.ok(rate(byNumber(2), 'ack') > 0, "consuming channel's ack rate");
  const overview = await api.json('/api/overview');
  for (const key of ['publish', 'confirm', 'deliver_get', 'ack']) t.ok(rate(overview.message_stats, key) > 0, `overview ${key} rate ${rate(overview.message_stats, key)}`);
});

t.test("the overview counts the channels' counters and keeps them when clients and objects go", async (t) => {
  await api.ok('PUT', '/api/queues/%2F/totals.q', { durable: false });
  const before = (await api.json('/api/overview')).message_stats as Record<string, number>;
  const { conn, ch } = await amqp(t, node.url, 'totals-client');
  await publish(ch, '', 'totals.q', ['a', 'b']);
  await publish(ch, 'amq.direct', 'nowhere', ['returned'], { mandatory: true });
  await publish(ch, 'amq.direct', 'nowhere', ['dropped']);
  t.ok(await ch.get('totals.q', { noAck: true }), 'a get');
  t.ok(await ch.get('totals.q', { noAck: false }), 'a get to ack');
  t.equal(await ch.get('totals.q'), false, 'a get-empty');
  const expected = { publish: 4, confirm: 4, return_unroutable: 1, drop_unroutable: 1, get_no_ack: 1, get: 1, get_empty: 1 };
  const grown = (o: Record<string, number>) => Object.fromEntries(Object.keys(expected).map((k) => [k, o[k]! - (before[k] ?? 0)]));
  t.same(grown((await api.json('/api/overview')).message_stats), expected, 'counted while the client is connected');
  await conn.close();
  await api.ok('DELETE', '/api/queues/%2F/totals.q');
  await eventually('the connection to close', async () => (await api.json('/api/overview')).object_totals.connections === 0);
  t.same(grown((await api.json('/api/overview')).message_stats), expected, 'still counted after it closed and the queue went');
});
