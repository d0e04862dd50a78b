/**
 * The order lists come in when the request names no `sort`: by vhost then name (queues, exchanges,
 * connections, channels; users and vhosts by name), bindings by vhost, source, destination and routing
 * key, permissions by vhost then user, policies by priority alone; names by their UTF-8 bytes, so
 * upper case before lower, 'ä' after 'z' and channel 10 before channel 2. Objects are made out of order;
 * each list is read as the scenario's objects, in the order given. Checked against what RabbitMQ 3.10.8
 * answered, and against a live RabbitMQ when one is reachable.
 */
import amqplib from 'amqplib';
import type { Test } from 'tap';
import { enc, eventually } from './fixtures/api.js';
import { inVhost, recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

const NAMES = ['zz', 'ä', 'Bb', 'a10', 'a9', 'aa'];
const ALL = { configure: '.*', write: '.*', read: '.*' };
type Item = Record<string, any>; // API objects, as listed

async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  // created in this order: the vhost names sort as '{vhost}', '{vhost}-B', '{vhost}-b'
  const vhosts = [`${side.vhost}-b`, side.vhost, `${side.vhost}-B`];
  for (const vhost of vhosts.filter((v) => v !== side.vhost)) {
    await api.ok('PUT', `/api/vhosts/${enc(vhost)}`, {});
    t.teardown(async () => void (await api.del(`/api/vhosts/${enc(vhost)}`)));
    await api.ok('PUT', `/api/permissions/${enc(vhost)}/guest`, ALL);
  }
  for (const name of NAMES) {
    const user = `${side.vhost}-${name}`;
    await api.ok('PUT', `/api/users/${enc(user)}`, { password: 'pw', tags: '' });
    t.teardown(async () => void (await api.del(`/api/users/${enc(user)}`)));
  }
  for (const vhost of vhosts) {
    const v = enc(vhost);
    for (const name of NAMES) await api.ok('PUT', `/api/permissions/${v}/${enc(`${side.vhost}-${name}`)}`, ALL);
    for (const name of NAMES) {
      await api.ok('PUT', `/api/queues/${v}/${enc(name)}`, { durable: false });
      await api.ok('PUT', `/api/exchanges/${v}/${enc(`x${name}`)}`, { type: 'direct', durable: false });
    }
    await api.ok('POST', `/api/bindings/${v}/e/xzz/q/aa`, { routing_key: 'k2' });
    await api.ok('POST', `/api/bindings/${v}/e/xzz/q/aa`, { routing_key: 'k1' });
    await api.ok('POST', `/api/bindings/${v}/e/xBb/q/zz`, { routing_key: 'k' });
    await api.ok('POST', `/api/bindings/${v}/e/xBb/e/xzz`, { routing_key: 'k' });
    for (const [name, priority] of [['zz', 1], ['aa', 1], ['Bb', 0], ['a9', 2]] as const) {
      const body = { pattern: '^none$', definition: { 'max-length': 1 }, priority, 'apply-to': 'queues' };
      await api.ok('PUT', `/api/policies/${v}/${name}`, body);
      await api.ok('PUT', `/api/operator-policies/${v}/${name}`, body);
    }
  }
  // eleven channels on a connection in the scenario's vhost, after one in another
  for (const [vhost, channels] of [[vhosts[0]!, 1], [side.vhost, 11]] as const) {
    const conn = await amqplib.connect(inVhost(side.amqpUrl, vhost));
    conn.on('error', () => undefined);
    t.teardown(() => conn.close().catch(() => undefined));
    for (let i = 0; i < channels; i++) await conn.createChannel();
  }

  /** The scenario's objects of a list (not the predeclared exchanges), as labels in the list's order. */
  const ofScenario = (label: (o: Item) => string) => (list: Item[]) =>
    list
      .filter((o) => o['name'] !== '' && !String(o['name']).startsWith('amq.'))
      .map(label)
      .filter((l) => l.includes(side.vhost));
  const byVhostName = ofScenario((o) => (o['vhost'] === undefined ? o['name'] : `${o['vhost']}/${o['name']}`));
  const bindings = ofScenario((o) => `${o['vhost']}/${o['source']}>${o['destination']}:${o['routing_key']}`);
  const permissions = ofScenario((o) => `${o['vhost']}/${o['user']}`);
  const policies = ofScenario((o) => `${o['priority']} ${o['vhost']}/${o['name']}`);
  const connections = ofScenario((o) => o['vhost']);
  // a channel by its vhost and number, its connection's name being the broker's
  const channels = ofScenario((o) => `${o['vhost']} (${o['number']})`);
  // RabbitMQ lists clients once its statistics have caught up
  await eventually('the clients to be listed', async () => channels(await api.json('/api/channels')).length === 12 && connections(await api.json('/api/connections')).length === 2);
  const lists: [string, (list: Item[]) => string[]][] = [
    ['/api/vhosts', byVhostName],
    ['/api/users', byVhostName],
    ['/api/queues', byVhostName],
    [`/api/queues/${enc(side.vhost)}`, byVhostName],
    ['/api/exchanges', byVhostName],
    ['/api/bindings', bindings],
    [`/api/exchanges/${enc(side.vhost)}/xBb/bindings/source`, bindings],
    ['/api/permissions', permissions],
    ['/api/policies', policies],
    ['/api/operator-policies', policies],
    ['/api/connections', connections],
    ['/api/channels', channels],
  ];
  const observed: Observations = {};
  for (const [path, labels] of lists) observed[path.replace(enc(side.vhost), '{v}')] = labels(await api.json(path)).join(', ');
  return observed;
}

/** `names` in each of the vhosts, as `label` writes one. */
const each = (vhosts: readonly string[], names: readonly string[]) => vhosts.flatMap((v) => names.map((n) => `${v}/${n}`)).join(', ');
/** The vhosts in RabbitMQ's order. */
const VHOSTS = ['{vhost}', '{vhost}-B', '{vhost}-b'];
const SORTED = ['Bb', 'a10', 'a9', 'aa', 'zz', 'ä'];
const BINDINGS = ['>Bb:Bb', '>a10:a10', '>a9:a9', '>aa:aa', '>zz:zz', '>ä:ä', 'xBb>xzz:k', 'xBb>zz:k', 'xzz>aa:k1', 'xzz>aa:k2'];
const POLICY_ORDER = ['0 {vhost}/Bb', '0 {vhost}-B/Bb', '0 {vhost}-b/Bb', '1 {vhost}/aa', '1 {vhost}/zz', '1 {vhost}-B/aa', '1 {vhost}-B/zz', '1 {vhost}-b/aa', '1 {vhost}-b/zz', '2 {vhost}/a9', '2 {vhost}-B/a9', '2 {vhost}-b/a9'];

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  '/api/vhosts': VHOSTS.join(', '),
  '/api/users': SORTED.map((n) => `{vhost}-${n}`).join(', '),
  '/api/queues': each(VHOSTS, SORTED),
  '/api/queues/{v}': each(['{vhost}'], SORTED),
  '/api/exchanges': each(VHOSTS, SORTED.map((n) => `x${n}`)),
  '/api/bindings': each(VHOSTS, BINDINGS),
  '/api/exchanges/{v}/xBb/bindings/source': '{vhost}/xBb>xzz:k, {vhost}/xBb>zz:k',
  '/api/permissions': each(VHOSTS, ['guest', ...SORTED.map((n) => `{vhost}-${n}`)]),
  '/api/policies': POLICY_ORDER.join(', '),
  '/api/operator-policies': POLICY_ORDER.join(', '),
  '/api/connections': '{vhost}, {vhost}-b',
  '/api/channels': ['1', '10', '11', '2', '3', '4', '5', '6', '7', '8', '9'].map((n) => `{vhost} (${n})`).join(', ') + ', {vhost}-b (1)',
};

await recordedTest('lists in their default order', 'hmg-order', RECORDED, scenario);
