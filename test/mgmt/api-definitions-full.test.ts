/**
 * Whole RabbitMQ 3.10.8 exports imported into a fresh node: the committed one (fixtures/rabbitmq-3.10.8-
 * export.json, the topology of fixtures/rabbitmq-topology.ts) and, when RabbitMQ is reachable, the live
 * RabbitMQ's full export, taken with that topology built in it besides whatever else it holds. Every vhost,
 * user (hash, tags, limits), permission, topic permission, policy, parameter (operator policies, vhost
 * limits), global parameter, exchange, queue and binding of the file must then be on the node, except
 * what RabbitMQ's own import skips (amq.* queues, and bindings to them), each named in the answer's
 * warnings; quorum and stream queues are classic queues without their type's arguments.
 */
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { startTestNode, type TestNode } from '../helpers/node.js';
import { open } from './fixtures/amqp-answers.js';
import { amqp, Api, drain, enc, publish, suffix } from './fixtures/api.js';
import { rabbitmqApi } from './fixtures/rabbitmq-api.js';
import { buildTopology, FIXTURE, FIXTURE_PREFIX, PASSWORDS, removeTopology, topologyOf } from './fixtures/rabbitmq-topology.js';

t.setTimeout(180_000);

type Doc = Record<string, any>;
type Obj = Record<string, any>;

/** RabbitMQ's exchanges in every vhost, which exports leave out. */
const BUILT_IN = ['', 'amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match', 'amq.rabbitmq.trace'];

/** `doc` imported into a fresh node: the node, its API, and the warnings of the answer. */
async function importWhole(t: Test, doc: Doc): Promise<{ node: TestNode; api: Api; warnings: string[] }> {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
  const r = await api.post('/api/definitions', doc);
  t.equal(r.status, 200, `imported, saying what it skipped or changed (${r.status} ${r.text.slice(0, 500)})`);
  return { node, api, warnings: r.json?.warnings ?? [] };
}

/** Every object of `doc` is on the node of `api`, or skipped (or changed) as a warning says. */
async function everyObjectIsThere(t: Test, api: Api, doc: Doc, warnings: string[]): Promise<void> {
  const warned = (what: string, ...parts: string[]) => t.ok(warnings.some((w) => parts.every((p) => w.includes(p))), `${what}: in the warnings`);
  const get = async (path: string) => (await api.get(path)).json;
  const v = (o: Obj) => enc(o['vhost']);

  for (const vh of doc['vhosts']) t.equal((await api.get(`/api/vhosts/${enc(vh.name)}`)).status, 200, `vhost ${vh.name}`);
  for (const u of doc['users']) {
    const got = await get(`/api/users/${enc(u.name)}`);
    t.same([got?.password_hash, got?.hashing_algorithm, got?.tags, got?.limits], [u.password_hash, u.hashing_algorithm, u.tags, u.limits], `user ${u.name}: hash, tags, limits`);
  }
  for (const p of doc['permissions']) t.same(await get(`/api/permissions/${v(p)}/${enc(p.user)}`), p, `permission of ${p.user} in ${p.vhost}`);
  for (const p of doc['topic_permissions']) {
    const got: Obj[] = (await get(`/api/topic-permissions/${v(p)}/${enc(p.user)}`)) ?? [];
    t.ok(got.some((x) => x['exchange'] === p.exchange && x['write'] === p.write && x['read'] === p.read), `topic permission of ${p.user} in ${p.vhost} on ${p.exchange}`);
  }
  for (const p of doc['policies']) {
    const got = await get(`/api/policies/${v(p)}/${enc(p.name)}`);
    t.same([got?.pattern, got?.['apply-to'], got?.priority, got?.definition], [p.pattern, p['apply-to'], p.priority, p.definition], `policy ${p.name} in ${p.vhost}`);
  }
  for (const p of doc['parameters']) {
    const what = `parameter ${p.component}/${p.name} in ${p.vhost}`;
    if (p.component === 'operator_policy') t.match(await get(`/api/operator-policies/${v(p)}/${enc(p.name)}`), { ...p.value, name: p.name }, what);
    else if (p.component === 'vhost-limits') t.same(await get(`/api/vhost-limits/${v(p)}`), [{ vhost: p.vhost, value: p.value }], what);
    else t.same((await get(`/api/parameters/${enc(p.component)}/${v(p)}/${enc(p.name)}`))?.value, p.value, what);
  }
  for (const p of doc['global_parameters']) {
    if (!p.name.startsWith('internal')) t.same((await get(`/api/global-parameters/${enc(p.name)}`))?.value, p.value, `global parameter ${p.name}`);
  }

  const exchanges = new Set([...doc['exchanges'].map((x: Obj) => `${x['vhost']}\0${x['name']}`)]);
  for (const x of doc['exchanges']) {
    const got = await get(`/api/exchanges/${v(x)}/${enc(x.name)}`);
    t.same([got?.type, got?.durable, got?.auto_delete, got?.internal, got?.arguments], [x.type, x.durable, x.auto_delete, x.internal, x.arguments], `exchange ${x.name} in ${x.vhost}`);
  }
  const queues = new Set<string>();
  for (const q of doc['queues']) {
    const path = `/api/queues/${v(q)}/${enc(q.name)}`;
    if (q.name.startsWith('amq.')) {
      t.equal((await api.get(path)).status, 404, `queue ${q.name} in ${q.vhost}: skipped`);
      warned(`queue ${q.name}`, `name: ${q.name}, vhost: ${q.vhost}`);
      continue;
    }
    queues.add(`${q.vhost}\0${q.name}`);
    const got = await get(path);
    t.same([got?.durable, got?.auto_delete], [q.durable, q.auto_delete], `queue ${q.name} in ${q.vhost}`);
    const type = q.arguments['x-queue-type'];
    if (type !== 'quorum' && type !== 'stream') {
      t.same(got?.arguments, q.arguments, `queue ${q.name} in ${q.vhost}: arguments`);
      continue;
    }
    const warning = warnings.find((w) => w.includes(`${type} queue '${q.name}' in vhost '${q.vhost}' as a classic queue`)) ?? '';
    t.ok(warning, `${type} queue ${q.name} in ${q.vhost}: made classic, as a warning says`);
    const dropped = Object.keys(q.arguments).filter((k) => !(k in (got?.arguments ?? {})));
    t.ok(dropped.includes('x-queue-type') && dropped.every((k) => warning.includes(k)), `without x-queue-type and the other arguments the warning names (${dropped.join(', ')})`);
    t.same(got?.arguments, Object.fromEntries(Object.entries(q.arguments).filter(([k]) => !dropped.includes(k))), 'the other arguments kept');
  }

  for (const b of doc['bindings']) {
    const what = `binding ${b.source} -> ${b.destination_type} ${b.destination} in ${b.vhost}`;
    const has = (kind: string, name: string) => (kind === 'queue' ? queues.has(`${b.vhost}\0${name}`) : BUILT_IN.includes(name) || exchanges.has(`${b.vhost}\0${name}`));
    if (!has('exchange', b.source) || !has(b.destination_type, b.destination)) {
      warned(what, `${b.source} -> ${b.destination_type} ${b.destination}, vhost: ${b.vhost}`);
      continue;
    }
    const found = await get(`/api/bindings/${v(b)}/e/${enc(b.source)}/${b.destination_type === 'queue' ? 'q' : 'e'}/${enc(b.destination)}`);
    t.ok((found ?? []).some((x: Obj) => x['routing_key'] === b.routing_key && JSON.stringify(x['arguments']) === JSON.stringify(b.arguments)), what);
  }
}

const fixture: Doc = JSON.parse(readFileSync(FIXTURE, 'utf8'));
const shop = `${FIXTURE_PREFIX}-shop`;
const user = (name: keyof typeof PASSWORDS) => `${FIXTURE_PREFIX}-${name}:${PASSWORDS[name]}`;

t.test('the committed export is what RabbitMQ 3.10.8 exports', async (t) => {
  t.match(fixture, { rabbit_version: '3.10.8', product_name: 'RabbitMQ', global_parameters: [{}, {}] });
  t.ok(fixture['vhosts'].every((v: Obj) => Object.keys(v).join() === 'name'), 'vhosts by name alone');
  t.ok(fixture['users'].some((u: Obj) => Object.keys(u.limits).length > 0), 'users with limits');
  t.ok(fixture['parameters'].some((p: Obj) => p.component === 'vhost-limits'), 'vhost limits as parameters');
  t.ok(fixture['queues'].some((q: Obj) => q.name.startsWith('amq.gen-') && q.durable), 'a durable server-named queue');
  for (const type of ['quorum', 'stream', 'classic']) t.ok(fixture['queues'].some((q: Obj) => q.arguments['x-queue-type'] === type), `a ${type} queue`);
});

t.test('the committed export imports whole, and works', async (t) => {
  const { node, api, warnings } = await importWhole(t, fixture);
  await everyObjectIsThere(t, api, fixture, warnings);
  t.match(await api.json(`/api/queues/${shop}/shop.payments`), { arguments: { 'x-max-length': 500 } }, 'the quorum queue');
  for (const name of ['admin', 'app', 'ops'] as const) t.equal((await api.get('/api/whoami', { as: user(name) })).status, 200, `${name} logs in with its password`);

  const { ch } = await amqp(t, `amqp://${user('app')}@127.0.0.1:${node.port}/${shop}`, 'definitions-full');
  await publish(ch, 'shop.events', 'order.new', ['o1']);
  await publish(ch, 'shop.direct', 'pay', ['p1']);
  t.same(await drain(ch, 'shop.orders'), ['o1'], 'topic binding');
  t.same(await drain(ch, 'shop.audit'), ['o1'], 'through the internal exchange');
  t.same(await drain(ch, 'shop.payments'), ['p1'], 'into the queue that was a quorum queue');
  const guest = (await amqp(t, `amqp://guest:guest@127.0.0.1:${node.port}/${shop}`, 'definitions-full-guest')).ch;
  await publish(guest, 'shop.events', 'nobody.listens', ['u1']);
  t.same(await drain(guest, 'shop.unrouted'), ['u1'], 'the alternate exchange');
  await t.rejects(publish(ch, 'shop.events', 'refund.new', ['r1']), 'the topic permission holds');

  const logs = `${FIXTURE_PREFIX}-logs`;
  const [ops, pw] = user('ops').split(':') as [string, string];
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push((await open(t, node.url, ops, pw, logs)).answer);
  t.match(answers, ['connection.open-ok', 'connection.open-ok', { replyCode: 530, replyText: /user connection limit \(2\) is reached/ }], "the ops user's connection limit holds");
});

t.test("the live RabbitMQ's full export imports whole", async (t) => {
  const rabbit = await rabbitmqApi();
  if (typeof rabbit === 'string' || rabbit.amqpUrl === null) {
    const why = typeof rabbit === 'string' ? rabbit : 'RabbitMQ AMQP port not reachable';
    console.log(`# skipping: ${why}`);
    return t.plan(0, why);
  }
  const prefix = `defs-full-${suffix()}`;
  const topology = topologyOf(prefix);
  t.teardown(() => removeTopology(rabbit.api, topology));
  await buildTopology(rabbit.api, rabbit.amqpUrl, prefix);
  const full: Doc = await rabbit.api.json('/api/definitions');
  t.comment(`RabbitMQ ${rabbit.version}: ${['vhosts', 'users', 'queues', 'exchanges', 'bindings', 'policies'].map((k) => `${full[k].length} ${k}`).join(', ')}`);
  const { api, warnings } = await importWhole(t, full);
  await everyObjectIsThere(t, api, full, warnings);
});
