/**
 * Definitions through the management API: a topology built on one node, exported, and imported into a
 * fresh node, where it routes messages published with amqplib (topic, alternate exchange, exchange to
 * exchange, a policy's limit) and its user logs in; per-vhost export and import; 400 for bad documents.
 */
import t, { type Test } from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, CREATED, drain, publish } from './fixtures/api.js';

const source = await startTestNode();
t.teardown(() => source.close());
const a = new Api(`http://127.0.0.1:${source.node.mgmt.port}`);

/** The shop topology, through the API of node `api`. */
async function buildShop(api: Api): Promise<void> {
  await api.ok('PUT', '/api/vhosts/shop', {});
  await api.ok('PUT', '/api/users/shop-user', { password: 'shop-pw', tags: 'management' });
  await api.ok('PUT', '/api/permissions/shop/shop-user', { configure: '.*', write: '.*', read: '.*' });
  await api.ok('PUT', '/api/exchanges/shop/shop.events', { type: 'topic', durable: true, arguments: { 'alternate-exchange': 'shop.ae' } });
  await api.ok('PUT', '/api/exchanges/shop/shop.ae', { type: 'fanout', durable: true });
  await api.ok('PUT', '/api/exchanges/shop/shop.audit-x', { type: 'fanout', durable: true, internal: true });
  await api.ok('PUT', '/api/queues/shop/shop.orders', { durable: true, arguments: { 'x-max-length': 100 } });
  await api.ok('PUT', '/api/queues/shop/shop.limited', { durable: true });
  await api.ok('PUT', '/api/queues/shop/shop.audit', { durable: true });
  await api.ok('PUT', '/api/queues/shop/shop.unrouted', { durable: true });
  await api.ok('PUT', '/api/queues/shop/shop.transient', { durable: false });
  await api.ok('POST', '/api/bindings/shop/e/shop.events/q/shop.orders', { routing_key: 'order.*' });
  await api.ok('POST', '/api/bindings/shop/e/shop.events/q/shop.limited', { routing_key: 'limited.#' });
  await api.ok('POST', '/api/bindings/shop/e/shop.events/e/shop.audit-x', { routing_key: 'order.#' });
  await api.ok('POST', '/api/bindings/shop/e/shop.audit-x/q/shop.audit', { routing_key: '' });
  await api.ok('POST', '/api/bindings/shop/e/shop.ae/q/shop.unrouted', { routing_key: '' });
  await api.ok('PUT', '/api/policies/shop/shop-limit', { pattern: '^shop\\.limited$', definition: { 'max-length': 2 }, priority: 1, 'apply-to': 'queues' });
  await api.ok('PUT', '/api/parameters/federation-upstream/shop/shop-up', { value: { uri: 'amqp://127.0.0.1:5999' } });
  await api.ok('PUT', '/api/operator-policies/shop/shop-op', { pattern: '^shop\\.orders$', definition: { 'max-length': 50 }, priority: 0, 'apply-to': 'queues' });
}

/** The shop topology routes on the node at `amqpPort` as `user`, in vhost `vhost`. */
async function checkRouting(t: Test, amqpPort: number, user: string, vhost: string): Promise<void> {
  const { ch } = await amqp(t, `amqp://${user}@127.0.0.1:${amqpPort}/${encodeURIComponent(vhost)}`, 'definitions-check');
  await publish(ch, 'shop.events', 'order.new', ['o1']);
  await publish(ch, 'shop.events', 'limited.x', ['l1', 'l2', 'l3']);
  await publish(ch, 'shop.events', 'nobody.listens', ['u1']);
  t.same(await drain(ch, 'shop.orders'), ['o1'], 'topic binding');
  t.same(await drain(ch, 'shop.audit'), ['o1'], 'exchange-to-exchange binding through an internal exchange');
  t.same(await drain(ch, 'shop.limited'), ['l2', 'l3'], "the policy's max-length drops the oldest");
  t.same(await drain(ch, 'shop.unrouted'), ['u1'], 'the alternate exchange takes the unroutable');
}

t.test('export, then import into a fresh node recreates a topology that routes', async (t) => {
  await buildShop(a);
  const exported = await a.json('/api/definitions');
  t.match(exported, { rabbit_version: String, users: Array, vhosts: Array, permissions: Array, queues: Array, exchanges: Array, bindings: Array, policies: Array, parameters: Array });
  t.match(
    exported.users.find((u: { name: string }) => u.name === 'shop-user'),
    { password_hash: String, hashing_algorithm: 'rabbit_password_hashing_sha256', tags: ['management'] },
    'users with their password hash',
  );
  const queueNames = exported.queues.map((q: { name: string }) => q.name);
  t.ok(queueNames.includes('shop.orders'), 'durable queues');
  t.notOk(queueNames.includes('shop.transient'), 'not transient ones');
  t.match(exported.queues.find((q: { name: string }) => q.name === 'shop.orders'), { vhost: 'shop', durable: true, auto_delete: false, arguments: { 'x-max-length': 100 } });
  t.notOk(
    exported.exchanges.some((x: { name: string }) => x.name === '' || x.name.startsWith('amq.')),
    'no default or amq.* exchanges',
  );
  t.match(exported.exchanges.find((x: { name: string }) => x.name === 'shop.events'), { vhost: 'shop', type: 'topic', arguments: { 'alternate-exchange': 'shop.ae' } });
  t.match(exported.bindings.find((b: { destination: string }) => b.destination === 'shop.audit-x'), { source: 'shop.events', vhost: 'shop', destination_type: 'exchange', routing_key: 'order.#' });
  t.match(exported.policies, [{ vhost: 'shop', name: 'shop-limit', pattern: '^shop\\.limited$', 'apply-to': 'queues', definition: { 'max-length': 2 }, priority: 1 }]);
  t.match(exported.parameters, [{ vhost: 'shop', component: 'federation-upstream', name: 'shop-up', value: { uri: 'amqp://127.0.0.1:5999' } }]);

  const fresh = await startTestNode();
  t.teardown(() => fresh.close());
  const b = new Api(`http://127.0.0.1:${fresh.node.mgmt.port}`);
  t.equal((await b.get('/api/vhosts/shop')).status, 404, 'the fresh node has no shop');
  const imported = await b.post('/api/definitions', exported);
  t.ok([200, 201, 204].includes(imported.status), `imported (${imported.status} ${imported.text})`);
  t.match(await b.json('/api/queues/shop/shop.orders'), { durable: true, arguments: { 'x-max-length': 100 } });
  t.match(await b.json('/api/queues/shop/shop.limited'), { policy: 'shop-limit', effective_policy_definition: { 'max-length': 2 } }, 'the policy applies');
  t.match(await b.json('/api/exchanges/shop/shop.audit-x'), { type: 'fanout', internal: true });
  t.equal((await b.get('/api/operator-policies/shop/shop-op')).status, 200, 'the operator policy comes along');
  t.equal((await b.get('/api/queues/shop/shop.transient')).status, 404);
  t.same((await b.get('/api/whoami', { as: 'shop-user:shop-pw' })).json, { name: 'shop-user', tags: ['management'] }, 'the user logs in with its password');
  await checkRouting(t, fresh.port, 'shop-user:shop-pw', 'shop');

  const before = (await b.json('/api/bindings/shop')).length;
  t.ok([200, 201, 204].includes((await b.post('/api/definitions', exported)).status), 'importing again is harmless');
  t.equal((await b.json('/api/bindings/shop')).length, before, 'no duplicate bindings');
  const again = await b.json('/api/definitions');
  for (const key of ['queues', 'exchanges', 'bindings', 'policies', 'parameters'] as const) {
    const pick = (doc: Record<string, { vhost?: string }[]>) => doc[key]!.filter((o) => o.vhost === 'shop').map((o) => JSON.stringify(o)).sort();
    t.same(pick(again), pick(exported), `${key} survive the round trip unchanged`);
  }
});

t.test('per-vhost export and import', async (t) => {
  const doc = await a.json('/api/definitions/shop');
  t.match(doc, { queues: Array, exchanges: Array, bindings: Array, policies: Array });
  t.notOk('users' in doc, 'no users in a vhost export');
  t.notOk(
    [...doc.queues, ...doc.exchanges, ...doc.bindings, ...doc.policies].some((o: { vhost?: string }) => 'vhost' in o),
    'objects carry no vhost, so they import into any',
  );
  t.ok(CREATED.includes((await a.put('/api/vhosts/shop2', {})).status));
  await a.ok('PUT', '/api/permissions/shop2/shop-user', { configure: '.*', write: '.*', read: '.*' });
  const r = await a.post('/api/definitions/shop2', doc);
  t.ok([200, 201, 204].includes(r.status), `imported into another vhost (${r.status} ${r.text})`);
  t.match(await a.json('/api/queues/shop2/shop.limited'), { vhost: 'shop2', policy: 'shop-limit' });
  await checkRouting(t, source.port, 'shop-user:shop-pw', 'shop2');
  t.equal((await a.post('/api/definitions/no-such-vhost', doc)).status, 404, 'into a missing vhost');
});

t.test('bad documents: 400 with the reason', async (t) => {
  const cases: [unknown, RegExp][] = [
    [[], /object/],
    [{ queues: 'shop.orders' }, /queues/],
    [{ queues: [{ name: 'q', vhost: 'no-such-vhost', durable: true }] }, /no-such-vhost/],
    [{ queues: [{ vhost: '/', durable: true }] }, /name/],
    [{ users: [{ name: 'nohash', tags: [] }] }, /password_hash|nohash/],
    [{ bindings: [{ source: 'amq.direct', vhost: '/', destination: 'missing-q', destination_type: 'queue', routing_key: 'k' }] }, /missing-q/],
    [{ policies: [{ vhost: '/', name: 'bad-pol', pattern: '.', definition: { 'no-such-key': 1 } }] }, /no-such-key/],
    [{ queues: [{ name: 'q', vhost: '/', arguments: { 'x-max-length': 'many' } }] }, /x-max-length/],
  ];
  for (const [doc, reason] of cases) {
    const r = await a.post('/api/definitions', doc);
    t.equal(r.status, 400, JSON.stringify(doc));
    t.match(r.json, { error: String, reason }, 'with a reason');
  }
  const raw = await a.call('POST', '/api/definitions', undefined, { raw: '{"queues": [' });
  t.equal(raw.status, 400, 'malformed JSON');
  t.match(raw.json.reason, /JSON/);
});
