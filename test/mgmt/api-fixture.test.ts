/**
 * A hand-written RabbitMQ 3.10 definitions export (fixtures/rabbitmq-3.10-definitions.json: users with
 * sha256 password hashes, vhost metadata, permissions, topic permissions, global parameters, policies,
 * queues with arguments, an operator policy (as RabbitMQ exports it: a parameter), an alternate exchange, an internal exchange bound from another, a headers
 * binding, dead-lettering) imported into a fresh node: its users log in with their passwords and the
 * topology routes as it would on RabbitMQ.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { amqp, Api, drain, FIXTURES, publish, sha256PasswordHash } from './fixtures/api.js';

const FILE = join(FIXTURES, 'rabbitmq-3.10-definitions.json');
const PASSWORDS: Record<string, string> = { guest: 'guest', 'fixture-admin': 'fixture-secret', 'fixture-app': 'app-secret' };

const node = await startTestNode();
t.teardown(() => node.close());
const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
const doc = JSON.parse(readFileSync(FILE, 'utf8'));

t.test('the fixture is what RabbitMQ 3.10 exports, with hashes of the known passwords', async (t) => {
  t.match(doc, { rabbit_version: '3.10.8', rabbitmq_version: '3.10.8', product_name: 'RabbitMQ', topic_permissions: Array, global_parameters: Array });
  for (const u of doc.users) {
    t.equal(u.hashing_algorithm, 'rabbit_password_hashing_sha256', `${u.name}: sha256`);
    const salt = Buffer.from(u.password_hash, 'base64').subarray(0, 4);
    t.equal(u.password_hash, sha256PasswordHash(PASSWORDS[u.name]!, salt), `${u.name}: base64(salt + sha256(salt + password))`);
  }
});

t.test('import', async (t) => {
  const r = await api.post('/api/definitions', doc);
  t.ok([200, 201, 204].includes(r.status), `imported (${r.status} ${r.text})`);
  t.ok((await api.json('/api/vhosts')).some((v: { name: string }) => v.name === 'fixture'), 'the vhost');
  t.same((await api.get('/api/whoami', { as: 'fixture-admin:fixture-secret' })).json, { name: 'fixture-admin', tags: ['administrator'] }, 'the admin logs in to the API with its password');
  t.equal((await api.get('/api/whoami', { as: 'fixture-admin:wrong' })).status, 401, 'and not with another');
  t.equal((await api.get('/api/whoami', { as: 'fixture-app:app-secret' })).status, 401, 'a user without tags has no API access');
  t.equal((await api.get('/api/whoami')).status, 200, 'guest (re-imported with the same password) still logs in');
  t.same(await api.json('/api/permissions/fixture/fixture-app'), { user: 'fixture-app', vhost: 'fixture', configure: '^fx\\.app\\.', write: '.*', read: '.*' });
  t.match(await api.json('/api/exchanges/fixture/fx.events'), { type: 'topic', arguments: { 'alternate-exchange': 'fx.ae' } });
  t.match(await api.json('/api/exchanges/fixture/fx.audit-x'), { internal: true });
  t.match(await api.json('/api/queues/fixture/fx.audit'), { arguments: { 'x-queue-type': 'classic', 'x-max-priority': 5 } });
  t.match(await api.json('/api/queues/fixture/fx.limited'), { policy: 'fx-limit', effective_policy_definition: { 'max-length': 2 } }, 'the higher-priority policy');
  t.match(await api.json('/api/queues/fixture/fx.orders'), { policy: 'fx-ttl', effective_policy_definition: { 'message-ttl': 3600000 } });
  t.match(await api.json('/api/parameters/federation-upstream/fixture/fx-upstream'), { value: { uri: 'amqp://upstream.invalid:5672' } });
  t.equal((await api.json('/api/bindings/fixture')).filter((b: { source: string }) => b.source !== '').length, 7, "every binding (besides the default exchange's)");
  t.match(await api.json('/api/vhosts/fixture'), { description: 'hand-written fixture', tags: ['test'] }, 'vhost metadata is kept');
  t.equal((await api.get('/api/operator-policies/fixture/fx-op-cap')).status, 200, 'the operator policy (a parameter in the export)');
  t.equal((await api.json('/api/queues/fixture/fx.orders')).operator_policy, 'fx-op-cap', 'and it applies');
  const exported = await api.json('/api/definitions');
  t.ok(exported.topic_permissions.some((p: { user: string }) => p.user === 'fixture-app'), 'topic permissions survive an import/export round trip');
});

t.test("the fixture's application user connects and the topology routes", async (t) => {
  const { ch } = await amqp(t, `amqp://fixture-app:app-secret@127.0.0.1:${node.port}/fixture`, 'fixture-app');
  await publish(ch, 'fx.events', 'order.created', ['o1']);
  await publish(ch, 'fx.events', 'limited.a', ['l1', 'l2', 'l3']);
  await publish(ch, 'fx.events', 'nobody.listens', ['u1']);
  await publish(ch, 'fx.headers', '', ['h1'], { headers: { type: 'order' } });
  await publish(ch, 'fx.headers', '', ['h2'], { headers: { type: 'refund' } });
  t.same(await drain(ch, 'fx.orders'), ['o1', 'h1'], 'topic and headers (x-match all) bindings');
  t.same(await drain(ch, 'fx.audit'), ['o1'], 'through the internal exchange bound from fx.events');
  t.same(await drain(ch, 'fx.limited'), ['l2', 'l3'], "fx-limit's max-length 2");
  t.same(await drain(ch, 'fx.unrouted'), ['u1'], 'the alternate exchange');

  await publish(ch, '', 'fx.work', ['w1']);
  const m = await ch.get('fx.work', { noAck: false });
  t.ok(m, 'a work message');
  if (m) ch.nack(m, false, false);
  let dead: string[] = [];
  for (let i = 0; i < 50 && dead.length === 0; i++) {
    dead = await drain(ch, 'fx.dead');
    if (dead.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  t.same(dead, ['w1'], 'a rejected message is dead-lettered through fx.dlx with the routing key "dead"');
  await t.rejects(ch.assertQueue('fx.not-allowed'), /ACCESS_REFUSED|403/, "the imported configure permission ('^fx\\.app\\.') holds");
});

t.test('other password hashing algorithms RabbitMQ exports', async (t) => {
  const salt = Buffer.from([9, 8, 7, 6]);
  const md5 = Buffer.concat([salt, createHash('md5').update(salt).update('md5-pw').digest()]).toString('base64');
  const sha512 = Buffer.concat([salt, createHash('sha512').update(salt).update('sha512-pw').digest()]).toString('base64');
  const users = [
    { name: 'md5-user', password_hash: md5, hashing_algorithm: 'rabbit_password_hashing_md5', tags: ['management'], limits: {} },
    { name: 'sha512-user', password_hash: sha512, hashing_algorithm: 'rabbit_password_hashing_sha512', tags: ['management'], limits: {} },
    { name: 'no-password', password_hash: '', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: [], limits: {} },
  ];
  const r = await api.post('/api/definitions', { users });
  t.ok([200, 201, 204].includes(r.status), `a document with md5, sha512 and passwordless users imports (${r.status} ${r.text})`);
  t.equal((await api.get('/api/whoami', { as: 'md5-user:md5-pw' })).status, 200, 'an md5 user logs in');
  t.equal((await api.get('/api/whoami', { as: 'sha512-user:sha512-pw' })).status, 200, 'a sha512 user logs in');
  t.equal((await api.get('/api/whoami', { as: 'sha512-user:md5-pw' })).status, 401, 'not with another password');
  t.match(await api.json('/api/users/sha512-user'), { hashing_algorithm: 'rabbit_password_hashing_sha512' }, "the user's algorithm is shown as imported");
  t.match(
    (await api.json('/api/definitions')).users.find((u: { name: string }) => u.name === 'md5-user'),
    { password_hash: md5, hashing_algorithm: 'rabbit_password_hashing_md5' },
    'and exported so',
  );
  t.equal((await api.get('/api/whoami', { as: 'no-password:' })).status, 401, 'a user with an empty hash cannot log in with a password');
});
