/**
 * What GET /api/overview counts for whom: a management user only the queues, exchanges and messages of
 * the vhosts it has permissions in and its own connections and channels, without the consumer count or
 * the node's name, listeners and contexts; a monitoring user the whole node. Checked against what
 * RabbitMQ 3.10.8 answered, and against a live RabbitMQ when one is reachable (whose statistics lag, so
 * the management user's totals are read until they settle).
 */
import amqplib from 'amqplib';
import type { Test } from 'tap';
import { enc, eventually } from './fixtures/api.js';
import { inVhost, recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

const ALL = { configure: '.*', write: '.*', read: '.*' };
type Overview = Record<string, any>; // the API's answer
/** What only monitoring users see. */
const NODE_KEYS = ['node', 'listeners', 'contexts'];
const MESSAGE = { properties: {}, payload: 'm', payload_encoding: 'string' };

async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const other = `${side.vhost}-other`;
  const [v, o] = [enc(side.vhost), enc(other)];
  await api.ok('PUT', `/api/vhosts/${o}`, {});
  t.teardown(async () => void (await api.del(`/api/vhosts/${o}`)));
  const users = { management: `${side.vhost}-management`, monitoring: `${side.vhost}-monitoring` };
  for (const [tag, user] of Object.entries(users)) {
    await api.ok('PUT', `/api/users/${enc(user)}`, { password: 'pw', tags: tag });
    t.teardown(async () => void (await api.del(`/api/users/${enc(user)}`)));
    await api.ok('PUT', `/api/permissions/${v}/${enc(user)}`, ALL);
  }
  // two queues and a message in the users' vhost; a queue and two messages in the other
  for (const q of ['q1', 'q2']) await api.ok('PUT', `/api/queues/${v}/${q}`, { durable: false });
  await api.ok('POST', `/api/exchanges/${v}/amq.default/publish`, { ...MESSAGE, routing_key: 'q1' });
  await api.ok('PUT', `/api/queues/${o}/q`, { durable: false });
  for (let i = 0; i < 2; i++) await api.ok('POST', `/api/exchanges/${o}/amq.default/publish`, { ...MESSAGE, routing_key: 'q' });
  // the management user's connection, with two channels; guest's in the other vhost
  for (const [user, password, vhost] of [[users.management, 'pw', side.vhost], ['guest', 'guest', other]] as const) {
    const conn = await amqplib.connect(inVhost(side.amqpUrl, vhost, { user, password }));
    conn.on('error', () => undefined);
    t.teardown(() => conn.close().catch(() => undefined));
    await conn.createChannel();
    await conn.createChannel();
  }
  const exchanges = (await api.json(`/api/exchanges/${v}`)).length;
  const overview = (user: string): Promise<Overview> => api.json('/api/overview', { as: `${user}:pw` });
  const settled = (o: Overview) => o['object_totals'].connections === 1 && o['object_totals'].channels === 2 && o['queue_totals'].messages === 1;
  const management = await eventually('the management user to see its connection, channels and message', async () => {
    const o = await overview(users.management);
    return settled(o) ? o : null;
  }).catch(() => overview(users.management));
  const monitoring = await overview(users.monitoring);
  const totals = (o: Overview) => ({ ...o['object_totals'], exchanges: o['object_totals'].exchanges === exchanges ? "the vhost's" : o['object_totals'].exchanges });
  const { messages, messages_ready, messages_unacknowledged } = management['queue_totals'];
  return {
    management: {
      object_totals: totals(management),
      queue_totals: { messages, messages_ready, messages_unacknowledged },
      'node keys': NODE_KEYS.filter((k) => k in management),
    },
    monitoring: {
      'object_totals keys': Object.keys(monitoring['object_totals']).sort(),
      // the whole node: at least both vhosts' queues, messages and connections
      'at least both vhosts': monitoring['object_totals'].queues >= 3 && monitoring['queue_totals'].messages >= 3 && monitoring['object_totals'].connections >= 2,
      'node keys': NODE_KEYS.filter((k) => k in monitoring),
    },
  };
}

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  management: {
    object_totals: { connections: 1, channels: 2, exchanges: "the vhost's", queues: 2 },
    queue_totals: { messages: 1, messages_ready: 1, messages_unacknowledged: 0 },
    'node keys': [],
  },
  monitoring: {
    'object_totals keys': ['channels', 'connections', 'consumers', 'exchanges', 'queues'],
    'at least both vhosts': true,
    'node keys': NODE_KEYS,
  },
};

await recordedTest('the overview counts what the user may see', 'hmg-overview', RECORDED, scenario);
