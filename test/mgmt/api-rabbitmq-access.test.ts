/**
 * The same scenarios on a real RabbitMQ and on Warren, their observations compared: topic permissions
 * (the API, and what a user with them may publish, bind and unbind over AMQP, with {username} and
 * {vhost} expanded unescaped and an empty pattern matching only the empty key), binding properties keys
 * and Location headers for routing keys and arguments of every type RabbitMQ hashes, vhost metadata,
 * operator policies among the parameters, and effective_policy_definition beside queue arguments.
 * Skips, saying why, when RabbitMQ's management API or AMQP port is not reachable.
 */
import amqplib from 'amqplib';
import t, { type Test } from 'tap';
import { startTestNode } from '../helpers/node.js';
import { Api, enc, eventually, suffix } from './fixtures/api.js';
import { againstRabbitmq, bothSides, inVhost, rabbitmqWithAmqp, type Observations, type Rabbit, type Side } from './fixtures/rabbitmq-api.js';

t.setTimeout(180_000);
await againstRabbitmq(await rabbitmqWithAmqp(), main);

/** What one AMQP operation on a fresh channel came to: 'ok', or the server's error. */
async function outcome(conn: amqplib.ChannelModel, op: (ch: amqplib.ConfirmChannel) => Promise<unknown>): Promise<string> {
  const ch = await conn.createConfirmChannel();
  const closed = new Promise<string>((resolve) => ch.on('error', (e: Error) => resolve(e.message.replace(/^.*?(\d{3})/, '$1'))));
  const done = op(ch).then(
    () => 'ok',
    () => closed,
  );
  const result = await Promise.race([done, closed]);
  await ch.close().catch(() => undefined);
  return result;
}

const publishing = (exchange: string, key: string) => (ch: amqplib.ConfirmChannel) =>
  new Promise<void>((resolve, reject) => ch.publish(exchange, key, Buffer.from('m'), {}, (e) => (e ? reject(e) : resolve())));

async function topicPermissions(t: Test, side: Side, user: string): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  const u = enc(user);
  await api.ok('PUT', `/api/users/${u}`, { password: 'tp-pw', tags: '' });
  t.teardown(async () => void (await api.del(`/api/users/${u}`)));
  await api.ok('PUT', `/api/permissions/${v}/${u}`, { configure: '.*', write: '.*', read: '.*' });
  for (const [name, type] of [['tp.x', 'topic'], ['tp.empty', 'topic'], ['tp.open', 'topic'], ['tp.fan', 'fanout']]) {
    await api.ok('PUT', `/api/exchanges/${v}/${name}`, { type, durable: false });
  }
  await api.ok('PUT', `/api/queues/${v}/tp.q`, { durable: false });
  await api.ok('PUT', `/api/topic-permissions/${v}/${u}`, { exchange: 'tp.x', write: '^{username}\\.', read: '^{vhost}\\.' });
  await api.ok('PUT', `/api/topic-permissions/${v}/${u}`, { exchange: 'tp.empty', write: '', read: '' });
  await api.ok('PUT', `/api/topic-permissions/${v}/${u}`, { exchange: 'tp.fan', write: '^none$', read: '^none$' });
  const mine = (list: { user: string; exchange: string }[]) => list.filter((p) => p.user === user).sort((a, b) => a.exchange.localeCompare(b.exchange));

  const conn = await amqplib.connect(inVhost(side.amqpUrl, side.vhost, { user, password: 'tp-pw' }));
  conn.on('error', () => undefined);
  t.teardown(() => conn.close().catch(() => undefined));
  // the user's name has a '.', put into the pattern unescaped: any character matches it
  const lookalike = user.replace('.', 'X');
  const ops: Record<string, (ch: amqplib.ConfirmChannel) => Promise<unknown>> = {
    'publish, key starts with the user name': publishing('tp.x', `${user}.a`),
    'publish, key matches the unescaped user name': publishing('tp.x', `${lookalike}.a`),
    'publish, another key': publishing('tp.x', 'other.a'),
    'publish, empty pattern, empty key': publishing('tp.empty', ''),
    'publish, empty pattern, a key': publishing('tp.empty', 'a'),
    'publish to a fanout exchange with a topic permission': publishing('tp.fan', 'any'),
    'publish to a topic exchange without one': publishing('tp.open', 'any'),
    'bind, key starts with the vhost': (ch) => ch.bindQueue('tp.q', 'tp.x', `${side.vhost}.k`),
    'bind, another key': (ch) => ch.bindQueue('tp.q', 'tp.x', 'other'),
    'unbind, another key': (ch) => ch.unbindQueue('tp.q', 'tp.x', 'other'),
    'exchange bind from the topic exchange': (ch) => ch.bindExchange('tp.fan', 'tp.x', 'other'),
    'exchange bind to the topic exchange': (ch) => ch.bindExchange('tp.x', 'tp.fan', 'other'),
  };
  const out: Observations = {
    'user list': mine(await api.json(`/api/topic-permissions/${v}/${u}`)),
    'vhost list': mine(await api.json(`/api/vhosts/${v}/topic-permissions`)),
    'user list by user': mine(await api.json(`/api/users/${u}/topic-permissions`)),
    'a bad pattern': (await api.put(`/api/topic-permissions/${v}/${u}`, { exchange: 'tp.x', write: '(', read: '.*' })).status,
    'no exchange': (await api.put(`/api/topic-permissions/${v}/${u}`, { write: '.*', read: '.*' })).status,
    'no such user': (await api.put(`/api/topic-permissions/${v}/no-such-user-${suffix()}`, { exchange: 'tp.x', write: '.*', read: '.*' })).status,
  };
  for (const [what, op] of Object.entries(ops)) out[what] = await outcome(conn, op);
  out['delete'] = (await api.del(`/api/topic-permissions/${v}/${u}`)).status;
  out['after delete'] = (await api.get(`/api/topic-permissions/${v}/${u}`)).status;
  out['publish after delete'] = await outcome(conn, publishing('tp.x', 'other.a'));
  return out;
}

async function bindingKeys(side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  await api.ok('PUT', `/api/exchanges/${v}/bk.x`, { type: 'topic', durable: false });
  await api.ok('PUT', `/api/queues/${v}/bk.q`, { durable: false });
  const path = `/api/bindings/${v}/e/bk.x/q/bk.q`;
  // JSON integers are longs, other numbers doubles, and objects' keys sorted at every depth
  const bodies = [
    { routing_key: 'k.#', arguments: {} },
    { routing_key: '', arguments: {} },
    { routing_key: 'a b/c~d%e+é?&=*', arguments: {} },
    { routing_key: 'k.#', arguments: { 'x-tag': 'a' } },
    { routing_key: '', arguments: { flag: true, off: false, text: '', ratio: 2.5 } },
    { routing_key: 'n', arguments: { z: 'last', a: 'first', nested: { y: 'b', x: ['a', true, { deep: 'c' }] }, empty: [], none: {} } },
    { routing_key: 'i', arguments: { one: 1, neg: -5, big: 123456789012, negBig: -300000000, zero: 0 } },
    { routing_key: 'j', arguments: { nested: { z: 1, a: [1, 2.5, -7, { y: 3, b: 'x' }] }, f: -0.25 } },
  ];
  const locations: string[] = [];
  for (const body of bodies) locations.push((await api.post(path, body)).headers.get('location') ?? '');
  const conn = await amqplib.connect(inVhost(side.amqpUrl, side.vhost));
  const ch = await conn.createChannel();
  await ch.bindQueue('bk.q', 'bk.x', 'amqp', {
    byte: -3,
    short: 300,
    int: 70_000,
    long: { '!': 'long', value: 7 },
    bigLong: { '!': 'long', value: 2 ** 40 },
    double: 1.5,
    float: { '!': 'float', value: 2.5 },
    unsignedint: { '!': 'unsignedint', value: 4 },
    timestamp: { '!': 'timestamp', value: 1000 },
    decimal: { '!': 'decimal', value: { places: 2, digits: 12345 } },
    binary: Buffer.from('ab'),
    void: null,
    array: [1, 's'],
  });
  // nested tables over AMQP keep their order: two bindings, two keys
  await ch.bindQueue('bk.q', 'bk.x', 'nested', { t: { b: 2, a: 1 } });
  await ch.bindQueue('bk.q', 'bk.x', 'nested', { t: { a: 1, b: 2 } });
  await conn.close();
  const keys = ((await api.json(path)) as { routing_key: string; properties_key: string }[]).map((b) => `${b.routing_key} -> ${b.properties_key}`).sort();
  const each = await Promise.all(keys.map(async (k) => (await api.get(`${path}/${enc(k.split(' -> ')[1]!)}`)).status));
  return { keys, locations, 'GET by each key': each };
}

async function vhostMetadata(side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  const pick = async () => {
    const o = await api.json(`/api/vhosts/${v}`);
    return { description: o.description, tags: o.tags, metadata: o.metadata };
  };
  await api.ok('PUT', `/api/vhosts/${v}`, { description: 'a vhost', tags: 'one,two' });
  const set = await pick();
  await api.ok('PUT', `/api/vhosts/${v}`, { tags: ['three'] });
  const replaced = await pick();
  return { set, replaced };
}

async function policies(side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  await api.ok('PUT', `/api/queues/${v}/ep.q`, { durable: false, arguments: { 'x-max-length': 1 } });
  await api.ok('PUT', `/api/operator-policies/${v}/ep-op`, { pattern: '^ep\\.', definition: { 'max-length': 5, 'message-ttl': 1000, 'max-length-bytes': 100 }, priority: 2, 'apply-to': 'queues' });
  await api.ok('PUT', `/api/policies/${v}/ep-pol`, { pattern: '^ep\\.', definition: { 'max-length': 3, 'message-ttl': 5000, 'dead-letter-exchange': 'dlx' }, 'apply-to': 'queues' });
  const mine = (list: { vhost: string }[]) => list.filter((p) => p.vhost === side.vhost);
  // RabbitMQ shows a queue's policies with its next statistics
  const queue = await eventually('the policies on the queue', async () => {
    const q = (await api.get(`/api/queues/${v}/ep.q`)).json;
    return q?.policy === 'ep-pol' && q.operator_policy === 'ep-op' ? q : null;
  }, 30_000);
  return {
    effective: queue.effective_policy_definition,
    'all parameters': mine(await api.json('/api/parameters')),
    'operator_policy parameters': mine(await api.json(`/api/parameters/operator_policy/${v}`)),
    'policy parameters': mine(await api.json(`/api/parameters/policy/${v}`)),
  };
}

async function main(rabbit: Rabbit & { amqpUrl: string }): Promise<void> {
  const warren = await startTestNode();
  t.teardown(() => warren.close());
  const w = new Api(`http://127.0.0.1:${warren.node.mgmt.port}`);

  const sides = (t: Test, prefix: string): Promise<[Side, Side]> => bothSides(t, rabbit, { api: w, amqpUrl: warren.url }, prefix);
  const compare = (t: Test, theirs: Observations, ours: Observations) => {
    for (const what of Object.keys(theirs)) t.same(ours[what], theirs[what], `${what}: ${JSON.stringify(theirs[what])}`);
  };

  t.test('topic permissions: the API, and publish, bind and unbind over AMQP', async (t) => {
    const [r, ours] = await sides(t, 'warren-topic');
    const user = `tp.${suffix()}`;
    compare(t, await topicPermissions(t, r, user), await topicPermissions(t, ours, user));
  });

  t.test('binding properties keys and Location headers', async (t) => {
    const [r, ours] = await sides(t, 'warren-bkeys');
    compare(t, await bindingKeys(r), await bindingKeys(ours));
  });

  t.test('vhost description and tags', async (t) => {
    const [r, ours] = await sides(t, 'warren-meta');
    compare(t, await vhostMetadata(r), await vhostMetadata(ours));
  });

  t.test('effective policy definition, and policies among the parameters', async (t) => {
    const [r, ours] = await sides(t, 'warren-effective');
    compare(t, await policies(r), await policies(ours));
  });
}
