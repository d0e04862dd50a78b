/**
 * message_stats per kind of object, against a real RabbitMQ: the same traffic on both brokers (publishes
 * with confirms, one mandatory and one plain unroutable publish, basic.get with and without ack, a
 * get-empty, a consumer acking), then the message_stats key sets of the queue, the exchange, the channel
 * that did all of it, and the overview compared: the same keys, but for those Warren leaves out (LEFT_OUT,
 * with the reason). Connections have none on either. Then the groups of keys shown once used (an idle
 * channel, queue or exchange has none). Skips, saying why, when RabbitMQ's management API or AMQP port is
 * not reachable.
 */
import t, { type Test } from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, enc, eventually, keysOf, publish, suffix } from './fixtures/api.js';
import { againstRabbitmq, bothSides, inVhost, rabbitmqWithAmqp, type Rabbit, type Side } from './fixtures/rabbitmq-api.js';

t.setTimeout(180_000);
await againstRabbitmq(await rabbitmqWithAmqp(), main);

const STORE = "RabbitMQ's message store reads and writes, which Warren's store does not count";
const LEFT_OUT: Record<string, Record<string, string>> = { overview: { disk_reads: STORE, disk_reads_details: STORE, disk_writes: STORE, disk_writes_details: STORE } };

type Stats = Record<string, unknown> | undefined;

async function scenario(t: Test, side: Side, connName: string): Promise<Record<string, Stats | boolean>> {
  const { api, vhost } = side;
  const v = enc(vhost);
  await api.ok('PUT', `/api/exchanges/${v}/ms.x`, { type: 'direct', durable: false, auto_delete: false, internal: false, arguments: {} });
  await api.ok('PUT', `/api/queues/${v}/ms.q`, { durable: false, auto_delete: false, arguments: {} });
  await api.ok('POST', `/api/bindings/${v}/e/ms.x/q/ms.q`, { routing_key: 'k', arguments: {} });
  const { ch } = await amqp(t, inVhost(side.amqpUrl, vhost), connName);
  await publish(ch, 'ms.x', 'k', ['1', '2', '3', '4', '5']);
  await publish(ch, 'ms.x', 'nowhere', ['returned'], { mandatory: true });
  await publish(ch, 'ms.x', 'nowhere', ['dropped']);
  const got = await ch.get('ms.q', { noAck: false });
  if (got) ch.ack(got);
  await ch.get('ms.q', { noAck: true });
  await ch.consume('ms.q', (m) => m && ch.ack(m));
  await eventually('the queue to be drained', async () => (await api.json(`/api/queues/${v}/ms.q`)).messages === 0, 30_000);
  t.equal(await ch.get('ms.q'), false, 'a get-empty');
  // RabbitMQ's statistics arrive every few seconds: wait until they show all of it
  const has = (stats: Stats, keys: string[]) => stats !== undefined && keys.every((k) => k in stats);
  const queue = await eventually('queue stats', async () => {
    const s = (await api.json(`/api/queues/${v}/ms.q`)).message_stats as Stats;
    return has(s, ['publish', 'ack', 'get', 'get_no_ack', 'deliver']) ? s : null;
  }, 30_000);
  const exchange = await eventually('exchange stats', async () => {
    const s = (await api.json(`/api/exchanges/${v}/ms.x`)).message_stats as Stats;
    return has(s, ['publish_in', 'publish_out']) ? s : null;
  }, 30_000);
  const connection = await eventually('the connection', async () => {
    const all: Record<string, any>[] = await api.json('/api/connections');
    return all.find((c) => c['client_properties']?.connection_name === connName);
  }, 30_000);
  const channel = await eventually('channel stats', async () => {
    const all: { message_stats?: Stats }[] = await api.json(`/api/connections/${enc(connection['name'])}/channels`);
    const s = all[0]?.message_stats;
    return has(s, ['publish', 'confirm', 'return_unroutable', 'ack', 'get', 'deliver']) ? s : null;
  }, 30_000);
  return { queue, exchange, channel, overview: (await api.json('/api/overview')).message_stats, 'connection has message_stats': 'message_stats' in connection };
}

/**
 * RabbitMQ shows a group of keys once an object has counted something in it: channels that only publish,
 * only consume or only sit there, and a queue and an exchange nobody used. Channels in opening order.
 */
async function groupsScenario(t: Test, side: Side, connName: string): Promise<Record<string, Stats>> {
  const { api, vhost } = side;
  const v = enc(vhost);
  await api.ok('PUT', `/api/queues/${v}/ms.idle`, { durable: false, auto_delete: false, arguments: {} });
  await api.ok('PUT', `/api/exchanges/${v}/ms.idlex`, { type: 'fanout', durable: false, auto_delete: false, internal: false, arguments: {} });
  await api.ok('PUT', `/api/queues/${v}/ms.work`, { durable: false, auto_delete: false, arguments: {} });
  const { conn, ch: publisher } = await amqp(t, inVhost(side.amqpUrl, vhost), connName);
  const consumer = await conn.createChannel();
  await conn.createChannel(); // idle
  await publish(publisher, '', 'ms.work', ['1', '2']);
  await consumer.consume('ms.work', (m) => m && consumer.ack(m));
  const connection = await eventually('the connection', async () => {
    const all: Record<string, any>[] = await api.json('/api/connections');
    return all.find((c) => c['client_properties']?.connection_name === connName);
  }, 30_000);
  // once both busy channels show their statistics, the idle ones have had their chance to show some
  const channels = await eventually('channel stats', async () => {
    const all: { number: number; message_stats?: Stats }[] = await api.json(`/api/connections/${enc(connection['name'])}/channels`);
    const sorted = all.sort((a, b) => a.number - b.number);
    return sorted.length === 3 && sorted[0]!.message_stats && sorted[1]!.message_stats && 'ack' in sorted[1]!.message_stats ? sorted : null;
  }, 30_000);
  return {
    'publishing channel': channels[0]!.message_stats,
    'consuming channel': channels[1]!.message_stats,
    'idle channel': channels[2]!.message_stats,
    'idle queue': (await api.json(`/api/queues/${v}/ms.idle`)).message_stats,
    'idle exchange': (await api.json(`/api/exchanges/${v}/ms.idlex`)).message_stats,
  };
}

async function main(rabbit: Rabbit & { amqpUrl: string }): Promise<void> {
  const warren = await startTestNode();
  t.teardown(() => warren.close());
  const w = new Api(`http://127.0.0.1:${warren.node.mgmt.port}`);

  t.test(`message_stats keys per object: RabbitMQ ${rabbit.version} vs Warren`, async (t) => {
    const [r, mine] = await bothSides(t, rabbit, { api: w, amqpUrl: warren.url }, 'warren-message-stats');
    const name = `warren-message-stats-${suffix()}`;
    const theirs = await scenario(t, r, name);
    const ours = await scenario(t, mine, name);
    for (const what of ['queue', 'exchange', 'channel', 'overview']) {
      const leftOut = LEFT_OUT[what] ?? {};
      t.same(keysOf(ours[what]), keysOf(theirs[what]).filter((k) => !(k in leftOut)), `${what}: RabbitMQ's keys, but for those left out`);
      for (const [k, why] of Object.entries(leftOut)) t.comment(`${what}.${k} left out: ${why}`);
    }
    t.equal(ours['connection has message_stats'], theirs['connection has message_stats'], 'connections: as RabbitMQ (none)');
  });

  t.test(`message_stats groups shown once used: RabbitMQ ${rabbit.version} vs Warren`, async (t) => {
    const [r, mine] = await bothSides(t, rabbit, { api: w, amqpUrl: warren.url }, 'warren-message-groups');
    const name = `warren-message-groups-${suffix()}`;
    const theirs = await groupsScenario(t, r, name);
    const ours = await groupsScenario(t, mine, name);
    for (const what of Object.keys(theirs)) {
      t.same(ours[what] === undefined ? null : keysOf(ours[what]), theirs[what] === undefined ? null : keysOf(theirs[what]), `${what}: the keys RabbitMQ shows (null: no message_stats)`);
    }
  });
}
