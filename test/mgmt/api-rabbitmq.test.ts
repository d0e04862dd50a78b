/**
 * Definitions exported by a real RabbitMQ, imported into Warren: a topology made on RabbitMQ through its
 * management API (unique names, deleted afterwards) is exported (whole, then narrowed to this test's
 * objects, and per vhost), imported into a fresh Warren node, and must work there: its user logs in
 * with the password RabbitMQ hashed, messages route through the exchanges to the queues, the policy
 * applies. Also checks on RabbitMQ the behaviours that api-objects.test.ts expects of Warren.
 * Skips, saying why, when RabbitMQ's management API is not reachable.
 */
import t, { type Test } from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, drain, enc, publish, suffix } from './fixtures/api.js';
import { againstRabbitmq, rabbitmqApi, rabbitVhost, type Rabbit } from './fixtures/rabbitmq-api.js';

t.setTimeout(180_000);
await againstRabbitmq(await rabbitmqApi(), main);

/** The topology, through the API of either broker. */
async function build(api: Api, vhost: string, user: string): Promise<void> {
  const v = enc(vhost);
  await api.ok('PUT', `/api/users/${enc(user)}`, { password: 'diff-pw', tags: 'management' });
  await api.ok('PUT', `/api/permissions/${v}/${enc(user)}`, { configure: '.*', write: '.*', read: '.*' });
  await api.ok('PUT', `/api/exchanges/${v}/d.events`, { type: 'topic', durable: true, auto_delete: false, internal: false, arguments: { 'alternate-exchange': 'd.ae' } });
  await api.ok('PUT', `/api/exchanges/${v}/d.ae`, { type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} });
  await api.ok('PUT', `/api/exchanges/${v}/d.audit-x`, { type: 'fanout', durable: true, auto_delete: false, internal: true, arguments: {} });
  for (const [name, args] of [['d.orders', { 'x-max-length': 100, 'x-queue-type': 'classic' }], ['d.limited', {}], ['d.audit', {}], ['d.unrouted', {}]] as const) {
    await api.ok('PUT', `/api/queues/${v}/${name}`, { durable: true, auto_delete: false, arguments: args });
  }
  await api.ok('POST', `/api/bindings/${v}/e/d.events/q/d.orders`, { routing_key: 'order.*', arguments: {} });
  await api.ok('POST', `/api/bindings/${v}/e/d.events/q/d.limited`, { routing_key: 'limited.#', arguments: {} });
  await api.ok('POST', `/api/bindings/${v}/e/d.events/e/d.audit-x`, { routing_key: 'order.#', arguments: {} });
  await api.ok('POST', `/api/bindings/${v}/e/d.audit-x/q/d.audit`, { routing_key: '', arguments: {} });
  await api.ok('POST', `/api/bindings/${v}/e/d.ae/q/d.unrouted`, { routing_key: '', arguments: {} });
  await api.ok('PUT', `/api/policies/${v}/d-limit`, { pattern: '^d\\.limited$', definition: { 'max-length': 2 }, priority: 1, 'apply-to': 'queues' });
  await api.ok('PUT', `/api/operator-policies/${v}/d-op`, { pattern: '^d\\.orders$', definition: { 'max-length': 50 }, priority: 0, 'apply-to': 'queues' });
}

/** The topology routes as `user` on the broker at amqp port `port`. */
async function routes(t: Test, port: number, user: string, vhost: string): Promise<void> {
  const { ch } = await amqp(t, `amqp://${enc(user)}:diff-pw@127.0.0.1:${port}/${enc(vhost)}`, 'rabbitmq-definitions');
  await publish(ch, 'd.events', 'order.new', ['o1']);
  await publish(ch, 'd.events', 'limited.x', ['l1', 'l2', 'l3']);
  await publish(ch, 'd.events', 'nobody.listens', ['u1']);
  t.same(await drain(ch, 'd.orders'), ['o1'], 'topic binding');
  t.same(await drain(ch, 'd.audit'), ['o1'], 'exchange-to-exchange binding to an internal exchange');
  t.same(await drain(ch, 'd.limited'), ['l2', 'l3'], "the policy's max-length");
  t.same(await drain(ch, 'd.unrouted'), ['u1'], 'the alternate exchange');
}

async function main(rabbit: Rabbit): Promise<void> {
  t.comment(`RabbitMQ ${rabbit.version}'s management API at ${rabbit.api.base}`);
  const warren = await startTestNode();
  t.teardown(() => warren.close());
  const w = new Api(`http://127.0.0.1:${warren.node.mgmt.port}`);

  t.test("RabbitMQ's full export, narrowed to this test's objects, imports into Warren and works", async (t) => {
    const vhost = await rabbitVhost(t, rabbit, 'warren-defs');
    const user = `warren-defs-user-${suffix()}`;
    t.teardown(async () => void (await rabbit.api.del(`/api/users/${enc(user)}`)));
    await build(rabbit.api, vhost, user);
    const full = await rabbit.api.json('/api/definitions');
    t.match(full, { rabbit_version: String, users: Array, vhosts: Array, permissions: Array, topic_permissions: Array, parameters: Array, global_parameters: Array, policies: Array, queues: Array, exchanges: Array, bindings: Array });
    const mine = (o: { vhost?: string }) => o.vhost === vhost;
    const doc = {
      ...full,
      users: full.users.filter((u: { name: string }) => u.name === user),
      vhosts: full.vhosts.filter((v: { name: string }) => v.name === vhost),
      ...Object.fromEntries(['permissions', 'topic_permissions', 'parameters', 'policies', 'queues', 'exchanges', 'bindings'].map((k) => [k, full[k].filter(mine)])),
    };
    t.match(doc.users, [{ name: user, password_hash: String, hashing_algorithm: 'rabbit_password_hashing_sha256' }], "RabbitMQ's user with its hash");
    t.equal(doc.bindings.length, 5, "this test's bindings");

    const r = await w.post('/api/definitions', doc);
    t.ok([200, 201, 204].includes(r.status), `Warren imports it (${r.status} ${r.text})`);
    t.same((await w.get('/api/whoami', { as: `${user}:diff-pw` })).json, { name: user, tags: ['management'] }, 'the user logs in to Warren with the password RabbitMQ hashed');
    const q = await w.json(`/api/queues/${enc(vhost)}/d.limited`);
    t.match(q, { policy: 'd-limit', effective_policy_definition: { 'max-length': 2 } }, 'the policy applies');
    t.match(await w.json(`/api/exchanges/${enc(vhost)}/d.events`), { type: 'topic', arguments: { 'alternate-exchange': 'd.ae' } });
    t.match(doc.parameters, [{ component: 'operator_policy', name: 'd-op' }], 'RabbitMQ exports its operator policy as a parameter');
    t.equal((await w.json(`/api/queues/${enc(vhost)}/d.orders`)).operator_policy, 'd-op', 'which applies on Warren');
    await routes(t, warren.port, user, vhost);
    if (rabbit.amqpUrl) {
      const port = Number(new URL(rabbit.amqpUrl).port || 5672);
      await t.test('the same topology routes the same on RabbitMQ', (t) => routes(t, port, user, vhost));
    }
  });

  t.test("RabbitMQ's per-vhost export imports into a Warren vhost", async (t) => {
    const vhost = await rabbitVhost(t, rabbit, 'warren-vdefs');
    const user = `warren-vdefs-user-${suffix()}`;
    t.teardown(async () => void (await rabbit.api.del(`/api/users/${enc(user)}`)));
    await build(rabbit.api, vhost, user);
    const doc = await rabbit.api.json(`/api/definitions/${enc(vhost)}`);
    t.match(doc, { queues: Array, exchanges: Array, bindings: Array, policies: Array });
    await w.ok('PUT', '/api/vhosts/from-rabbit', {});
    await w.ok('PUT', `/api/users/${enc(user)}`, { password: 'diff-pw', tags: '' });
    await w.ok('PUT', `/api/permissions/from-rabbit/${enc(user)}`, { configure: '.*', write: '.*', read: '.*' });
    const r = await w.post('/api/definitions/from-rabbit', doc);
    t.ok([200, 201, 204].includes(r.status), `imported (${r.status} ${r.text})`);
    t.match(await w.json('/api/queues/from-rabbit/d.limited'), { vhost: 'from-rabbit', policy: 'd-limit' });
    await routes(t, warren.port, user, 'from-rabbit');
  });

  t.test('RabbitMQ behaviours Warren is held to elsewhere', async (t) => {
    const vhost = await rabbitVhost(t, rabbit, 'warren-behave');
    const v = enc(vhost);
    await rabbit.api.ok('PUT', `/api/exchanges/${v}/b.x`, { type: 'topic', durable: false });
    await rabbit.api.ok('PUT', `/api/queues/${v}/b.q`, { durable: false });
    const path = `/api/bindings/${v}/e/b.x/q/b.q`;
    const made = await rabbit.api.post(path, { routing_key: 'k.#', arguments: {} });
    t.equal(made.status, 201);
    const location = made.headers.get('location') ?? '';
    t.comment(`RabbitMQ's Location for a binding: ${JSON.stringify(location)}; properties_key: ${JSON.stringify((await rabbit.api.json(path))[0]?.properties_key)}`);
    t.equal((await rabbit.api.get(new URL(location, `${rabbit.api.base}${path}`).pathname)).status, 200, "RabbitMQ's Location, resolved against the request URL, is the binding");
    const bad = await rabbit.api.call('PUT', `/api/vhosts/${enc(`${vhost}-bad-json`)}`, undefined, { raw: '{' });
    t.teardown(async () => void (await rabbit.api.del(`/api/vhosts/${enc(`${vhost}-bad-json`)}`)));
    t.equal(bad.status, 400, 'RabbitMQ refuses a vhost PUT with malformed JSON');
  });
}
