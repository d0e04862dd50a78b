/**
 * Definitions through the management API: a topology built on one node, exported, and imported into a
 * fresh node, where it routes messages published with amqplib (topic, alternate exchange, exchange to
 * exchange, a policy's limit) and its user logs in; per-vhost export and import; 400 for bad documents,
 * which leave the node as it was; what is skipped or changed (amq.* names, bindings to nothing, quorum
 * and stream queues) is said in a 200's warnings; vhost and user limits come along.
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
  const cases: [unknown, RegExp | string[]][] = [
    [[], /object/],
    [{ queues: 'shop.orders' }, /queues/],
    [{ queues: [{ name: 'q', vhost: 'no-such-vhost', durable: true }] }, ['no_such_vhost', 'no-such-vhost']],
    [{ permissions: [{ user: 'ghost', vhost: '/', configure: '.*', write: '.*', read: '.*' }] }, ['no_such_user', 'ghost']],
    [{ queues: [{ vhost: '/', durable: true }] }, /name/],
    [{ users: [{ name: 'nohash', tags: [] }] }, /password_hash|nohash/],
    [{ bindings: [{ source: 'amq.direct', vhost: '/', destination: 'q', destination_type: 'stream', routing_key: 'k' }] }, /destination_type/],
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

/** A document with one of every kind of object, all valid, in vhost 'atomic' (which it makes). */
const VALID = {
  users: [{ name: 'atomic-user', password: 'atomic-pw', tags: 'management', limits: { 'max-connections': 3 } }],
  vhosts: [{ name: 'atomic' }],
  permissions: [{ user: 'atomic-user', vhost: 'atomic', configure: '.*', write: '.*', read: '.*' }],
  topic_permissions: [{ user: 'atomic-user', vhost: 'atomic', exchange: 'amq.topic', write: '.*', read: '.*' }],
  exchanges: [{ name: 'atomic.x', vhost: 'atomic', type: 'headers', durable: true, auto_delete: false, internal: false, arguments: {} }],
  queues: [{ name: 'atomic.q', vhost: 'atomic', durable: true, auto_delete: false, arguments: { 'x-max-length': 5 } }],
  bindings: [{ source: 'atomic.x', vhost: 'atomic', destination: 'atomic.q', destination_type: 'queue', routing_key: '', arguments: { 'x-match': 'any', a: 1 } }],
  policies: [{ vhost: 'atomic', name: 'atomic-p', pattern: '^atomic', 'apply-to': 'queues', definition: { 'message-ttl': 5000 }, priority: 0 }],
  parameters: [{ vhost: 'atomic', component: 'vhost-limits', name: 'limits', value: { 'max-queues': 10 } }],
};

/** VALID with one object of kind `key` replaced by `o`. */
const withOne = (key: keyof typeof VALID, o: Record<string, unknown>) => ({ ...VALID, [key]: [{ ...VALID[key][0], ...o }] });

t.test('a document with an error anywhere changes nothing', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
  await api.ok('PUT', '/api/queues/%2F/kept.q', { durable: true, arguments: { 'x-max-length': 1 } });
  await api.ok('PUT', '/api/vhosts/full', {});
  await api.ok('PUT', '/api/vhost-limits/full/max-queues', { value: 1 });
  await api.ok('PUT', '/api/queues/full/only.q', { durable: true });
  const cases: [string, unknown, RegExp | string[]][] = [
    ['a user with an unknown hashing algorithm', withOne('users', { password: undefined, password_hash: 'x', hashing_algorithm: 'md4' }), /hashing_algorithm/],
    ['a user with unknown limits', withOne('users', { limits: { 'max-queues': 1 } }), /Unrecognised terms.*user-limits.*atomic-user/],
    ['a permission for a user in neither the node nor the file', withOne('permissions', { user: 'ghost' }), ['no_such_user', 'ghost']],
    ['a permission pattern that is no regular expression', withOne('permissions', { read: '(' }), /read is not a valid regular expression/],
    ['a topic permission in a vhost in neither', withOne('topic_permissions', { vhost: 'nowhere' }), ['no_such_vhost', 'nowhere']],
    ['an exchange of an unknown type', withOne('exchanges', { type: 'x-nope' }), /COMMAND_INVALID - unknown exchange type 'x-nope'/],
    ['a queue with a bad argument', withOne('queues', { arguments: { 'x-max-priority': 300 } }), /x-max-priority/],
    ["a queue the node has, with other arguments", { ...VALID, queues: [...VALID.queues, { name: 'kept.q', vhost: '/', durable: true, arguments: { 'x-max-length': 2 } }] }, /inequivalent arg 'x-max-length'/],
    ['a headers binding with a bad x-match', withOne('bindings', { arguments: { 'x-match': 'some' } }), /x-match/],
    ['a policy with an unknown key', withOne('policies', { definition: { 'no-such-key': 1 } }), /no-such-key.*\(atomic\/atomic-p\)/s],
    ['vhost limits with an unknown name', withOne('parameters', { value: { 'max-exchanges': 1 } }), /Unrecognised terms.*\(atomic\/vhost-limits\/limits\)/s],
    ['vhost limits under another name', withOne('parameters', { name: 'other' }), /named 'limits'/],
    [
      "queues past a vhost's queue limit",
      { ...VALID, queues: [...VALID.queues, { name: 'one-more.q', vhost: 'full', durable: true }] },
      /^Adding 1 queue\(s\) to virtual host "full" would exceed the limit of 1 queue\(s\)\.\n\nThis virtual host currently has 1 queue\(s\) defined\.\n\nImport aborted!$/,
    ],
  ];
  for (const [what, doc, reason] of cases) {
    const before = await api.json('/api/definitions');
    const r = await api.post('/api/definitions', doc);
    t.equal(r.status, 400, what);
    t.match(r.json, { error: 'bad_request', reason }, `${what}: ${JSON.stringify(r.json?.reason)}`);
    t.same(await api.json('/api/definitions'), before, `${what}: nothing of the file was applied`);
  }
  t.equal((await api.post('/api/definitions', VALID)).status, 204, 'the valid document imports, with nothing to say');
  t.match(await api.json('/api/queues/atomic/atomic.q'), { arguments: { 'x-max-length': 5 }, policy: 'atomic-p' });
  t.equal((await api.json('/api/bindings/atomic/e/atomic.x/q/atomic.q')).length, 1);
  t.same(await api.json('/api/user-limits/atomic-user'), [{ user: 'atomic-user', value: { 'max-connections': 3 } }], 'user limits');
  t.same(await api.json('/api/vhost-limits/atomic'), [{ vhost: 'atomic', value: { 'max-queues': 10 } }], 'vhost limits');
});

t.test("what RabbitMQ's import skips, and quorum and stream queues: a 200 says so; global parameters", async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
  const q = (name: string, args: Record<string, unknown> = {}) => ({ name, vhost: '/', durable: true, auto_delete: false, arguments: args });
  const doc = {
    global_parameters: [{ name: 'cluster_name', value: 'rabbit@old' }, { name: 'internal_cluster_id', value: 'rabbitmq-cluster-id-x' }],
    exchanges: [{ name: 'amq.custom', vhost: '/', type: 'direct', durable: true }],
    queues: [
      q('amq.gen-left-behind'),
      q('orders.qq', { 'x-queue-type': 'quorum', 'x-delivery-limit': 5, 'x-quorum-initial-group-size': 3, 'x-max-length': 10 }),
      q('events.stream', { 'x-queue-type': 'stream', 'x-max-age': '7D' }),
    ],
    bindings: [
      { source: 'amq.topic', vhost: '/', destination: 'amq.gen-left-behind', destination_type: 'queue', routing_key: '#', arguments: {} },
      { source: 'gone.x', vhost: '/', destination: 'orders.qq', destination_type: 'queue', routing_key: '', arguments: {} },
      { source: 'amq.topic', vhost: 'gone-vhost', destination: 'orders.qq', destination_type: 'queue', routing_key: '', arguments: {} },
      { source: 'amq.direct', vhost: '/', destination: 'orders.qq', destination_type: 'queue', routing_key: 'orders', arguments: {} },
    ],
  };
  const r = await api.post('/api/definitions', doc);
  t.equal(r.status, 200);
  t.same(r.json.warnings, [
    "Skipping import of an exchange whose name begins with 'amq.', name: amq.custom, vhost: /",
    "Skipping import of a queue whose name begins with 'amq.', name: amq.gen-left-behind, vhost: /",
    "Importing quorum queue 'orders.qq' in vhost '/' as a classic queue (Warren has only classic queues), dropping x-delivery-limit, x-queue-type, x-quorum-initial-group-size; clients must declare it without x-queue-type: declaring a quorum queue is refused (406)",
    "Importing stream queue 'events.stream' in vhost '/' as a classic queue (Warren has only classic queues), dropping x-max-age, x-queue-type; clients must declare it without x-queue-type: declaring a stream queue is refused (406)",
    'Skipping import of a binding whose destination does not exist: amq.topic -> queue amq.gen-left-behind, vhost: /',
    'Skipping import of a binding whose source does not exist: gone.x -> queue orders.qq, vhost: /',
    'Skipping import of a binding whose vhost does not exist: amq.topic -> queue orders.qq, vhost: gone-vhost',
  ]);
  t.same((await api.json('/api/queues/%2F/orders.qq')).arguments, { 'x-max-length': 10 }, 'a classic queue with the arguments classic queues have');
  t.same((await api.json('/api/queues/%2F/events.stream')).arguments, {});
  t.equal((await api.get('/api/queues/%2F/amq.gen-left-behind')).status, 404);
  t.same(await api.json('/api/cluster-name'), { name: 'rabbit@old' }, 'global parameters are imported');
  t.equal((await api.get('/api/global-parameters/internal_cluster_id')).status, 404, "but not RabbitMQ's internal ones");
  t.equal((await api.json('/api/bindings/%2F/e/amq.direct/q/orders.qq')).length, 1, 'the binding whose ends exist');
  const { ch } = await amqp(t, `amqp://guest:guest@127.0.0.1:${node.port}`, 'definitions-classic');
  await t.resolves(ch.assertQueue('orders.qq', { durable: true, arguments: { 'x-max-length': 10 } }), 'clients declare it as the classic queue it is');
  await t.rejects(ch.assertQueue('orders.qq', { durable: true, arguments: { 'x-queue-type': 'quorum' } }), /PRECONDITION_FAILED/, 'not as a quorum queue, as for any quorum queue');
});

t.test("the file's own queue limit holds after the import, not during it (as in RabbitMQ)", async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
  const queues = ['a', 'b', 'c'].map((name) => ({ name, vhost: 'capped', durable: true }));
  const permissions = [{ user: 'guest', vhost: 'capped', configure: '.*', write: '.*', read: '.*' }];
  const limits = [{ vhost: 'capped', component: 'vhost-limits', name: 'limits', value: { 'max-queues': 1 } }];
  const r = await api.post('/api/definitions', { vhosts: [{ name: 'capped' }], permissions, queues, parameters: limits });
  t.equal(r.status, 204, `imported (${r.text})`);
  t.equal((await api.json('/api/queues/capped')).length, 3);
  t.match((await api.put('/api/queues/capped/d', { durable: true })).json, { reason: "cannot declare queue 'd': queue limit in vhost 'capped' (1) is reached" });
});
