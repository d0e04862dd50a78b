/**
 * The management API against a real node, with Node's fetch: authentication, the overview and nodes
 * shapes, and vhosts, users and permissions CRUD. What each tag may do and see is api-tags.test.ts's and
 * api-visibility.test.ts's.
 */
import amqplib from 'amqplib';
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { Api, CREATED, sha256PasswordHash } from './fixtures/api.js';

const node = await startTestNode();
t.teardown(() => node.close());
const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
const amqpUrl = (user: string, pass: string, vhost = '/') => `amqp://${user}:${pass}@127.0.0.1:${node.port}/${encodeURIComponent(vhost)}`;

async function user(name: string, password: string, tags: string): Promise<void> {
  await api.ok('PUT', `/api/users/${name}`, { password, tags });
}

t.test('authentication: 401 without or with wrong credentials, and for users without a management tag', async (t) => {
  const none = await api.get('/api/overview', { as: null });
  t.equal(none.status, 401, 'no Authorization header');
  t.match(none.headers.get('www-authenticate') ?? '', /^Basic realm=/, 'asks for basic auth');
  t.match(none.json, { error: String, reason: String }, "RabbitMQ's error body");
  t.equal((await api.get('/api/overview', { as: 'guest:wrong' })).status, 401, 'wrong password');
  t.equal((await api.get('/api/overview', { as: 'nobody:guest' })).status, 401, 'unknown user');

  await user('plain-user', 'plain-pw', '');
  const plain = await api.get('/api/overview', { as: 'plain-user:plain-pw' });
  t.equal(plain.status, 401, 'a user without tags may not use the API');
  t.match(plain.json.reason, /management/i, 'the reason says why');
  await user('mgmt-user', 'mgmt-pw', 'management');
  t.same((await api.get('/api/whoami', { as: 'mgmt-user:mgmt-pw' })).json, { name: 'mgmt-user', tags: ['management'] }, 'whoami');
  await api.ok('PUT', '/api/permissions/%2F/plain-user', { configure: '.*', write: '.*', read: '.*' });
  const conn = await amqplib.connect(amqpUrl('plain-user', 'plain-pw'));
  t.pass('yet it may use AMQP');
  await conn.close();
});

t.test('overview and nodes have the fields tools read', async (t) => {
  const o = await api.json('/api/overview');
  t.match(o, {
    management_version: String,
    product_name: String,
    product_version: String,
    node: String,
    cluster_name: String,
    rates_mode: String,
    message_stats: { publish: Number, publish_details: { rate: Number } },
    queue_totals: { messages: Number, messages_ready: Number, messages_unacknowledged: Number },
    object_totals: { connections: Number, channels: Number, exchanges: Number, queues: Number, consumers: Number },
  });
  t.ok(
    o.listeners.some((l: { protocol: string; port: number }) => l.protocol === 'amqp' && l.port === node.port),
    'the AMQP listener with its real port',
  );
  t.ok(Array.isArray(o.contexts) && o.contexts.length > 0, 'contexts');
  const nodes = await api.json('/api/nodes');
  t.equal(nodes.length, 1);
  t.match(nodes[0], {
    name: o.node,
    type: String,
    running: true,
    mem_used: Number,
    mem_limit: Number,
    mem_alarm: false,
    disk_free: Number,
    disk_free_limit: Number,
    disk_free_alarm: false,
    uptime: Number,
    processors: Number,
  });
  t.equal((await api.get(`/api/nodes/${encodeURIComponent(o.node)}`)).status, 200, 'one node by name');
  t.equal((await api.get('/api/nodes/rabbit@nowhere')).status, 404);
  t.equal((await api.get('/api/no-such-endpoint')).status, 404, 'unknown path');
  t.equal((await api.call('POST', '/api/overview', {})).status, 405, 'wrong method');
});

t.test('vhosts CRUD', async (t) => {
  t.ok(CREATED.includes((await api.put('/api/vhosts/crud-vhost', {})).status), 'created');
  t.match(await api.json('/api/vhosts/crud-vhost'), { name: 'crud-vhost' });
  t.ok((await api.json('/api/vhosts')).some((v: { name: string }) => v.name === 'crud-vhost'), 'listed');
  t.ok(CREATED.includes((await api.put('/api/vhosts/crud-vhost', {})).status), 'PUT again is fine');
  t.equal((await api.del('/api/vhosts/crud-vhost')).status, 204, 'deleted');
  t.equal((await api.get('/api/vhosts/crud-vhost')).status, 404, 'gone');
  t.equal((await api.del('/api/vhosts/crud-vhost')).status, 404, 'deleting it again: not found');
});

t.test('users CRUD, with password or password_hash', async (t) => {
  t.ok(CREATED.includes((await api.put('/api/users/crud-user', { password: 's3cret', tags: 'monitoring,policymaker' })).status));
  const u = await api.json('/api/users/crud-user');
  t.match(u, { name: 'crud-user', hashing_algorithm: 'rabbit_password_hashing_sha256' });
  t.same([...u.tags].sort(), ['monitoring', 'policymaker'], 'tags from a comma-separated string');
  const stored = Buffer.from(u.password_hash, 'base64');
  t.equal(stored.length, 36, 'salt(4) + sha256(32)');
  t.equal(u.password_hash, sha256PasswordHash('s3cret', stored.subarray(0, 4)), 'the hash is of the password');
  t.ok((await api.json('/api/users')).some((x: { name: string }) => x.name === 'crud-user'), 'listed');

  await api.ok('PUT', '/api/users/crud-user', { tags: ['administrator'] });
  t.same((await api.json('/api/users/crud-user')).tags, ['administrator'], 'tags replaced, as a list');
  t.equal((await api.get('/api/whoami', { as: 'crud-user:s3cret' })).status, 200, 'the password is kept when only tags change');

  const hash = sha256PasswordHash('from-hash', Buffer.from([1, 2, 3, 4]));
  await api.ok('PUT', '/api/users/hash-user', { password_hash: hash, tags: 'management' });
  t.equal((await api.get('/api/whoami', { as: 'hash-user:from-hash' })).status, 200, 'a user made from a hash logs in');
  t.equal((await api.get('/api/whoami', { as: 'hash-user:other' })).status, 401);

  const bad = await api.put('/api/users/bad-user', { password: 'x', tags: 42 });
  t.equal(bad.status, 400, 'tags of the wrong type');
  t.match(bad.json.reason, /tags/);
  const custom = await api.put('/api/users/custom-tag-user', { password: 'x', tags: 'custom-tag' });
  t.ok(CREATED.includes(custom.status), 'a tag RabbitMQ does not know is kept (RabbitMQ 3.10 answers 201)');
  t.same((await api.json('/api/users/custom-tag-user')).tags, ['custom-tag'], 'and listed');
  const noPassword = await api.put('/api/users/no-password-user', { tags: 'management' });
  t.ok(CREATED.includes(noPassword.status), 'a new user without password or hash (RabbitMQ 3.10 creates one that cannot log in with a password)');
  t.equal((await api.get('/api/whoami', { as: 'no-password-user:' })).status, 401, 'it cannot log in, not even with an empty password');
  t.equal((await api.del('/api/users/crud-user')).status, 204);
  t.equal((await api.get('/api/users/crud-user')).status, 404);
  t.equal((await api.del('/api/users/crud-user')).status, 404);
});

t.test('permissions CRUD, and what they allow over AMQP', async (t) => {
  await api.ok('PUT', '/api/vhosts/perm-vhost', {});
  await user('perm-user', 'perm-pw', '');
  await t.rejects(amqplib.connect(amqpUrl('perm-user', 'perm-pw', 'perm-vhost')), 'no permissions: the connection is refused');
  t.ok(CREATED.includes((await api.put('/api/permissions/perm-vhost/perm-user', { configure: '^perm-', write: '.*', read: '.*' })).status));
  t.same(await api.json('/api/permissions/perm-vhost/perm-user'), { user: 'perm-user', vhost: 'perm-vhost', configure: '^perm-', write: '.*', read: '.*' });
  t.ok((await api.json('/api/users/perm-user/permissions')).some((p: { vhost: string }) => p.vhost === 'perm-vhost'), "in the user's list");
  t.ok((await api.json('/api/vhosts/perm-vhost/permissions')).some((p: { user: string }) => p.user === 'perm-user'), "in the vhost's list");
  t.ok((await api.json('/api/permissions')).some((p: { user: string; vhost: string }) => p.user === 'perm-user' && p.vhost === 'perm-vhost'), 'in the full list');

  const conn = await amqplib.connect(amqpUrl('perm-user', 'perm-pw', 'perm-vhost'));
  conn.on('error', () => undefined);
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  await ch.assertQueue('perm-q');
  await t.rejects(ch.assertQueue('other-q'), /ACCESS_REFUSED|403/, 'configure permission is a regular expression');
  await conn.close().catch(() => undefined);

  const badRegex = await api.put('/api/permissions/perm-vhost/perm-user', { configure: '(', write: '.*', read: '.*' });
  t.equal(badRegex.status, 400, 'an invalid regular expression');
  t.match(badRegex.json.reason, /configure/);
  t.equal((await api.put('/api/permissions/no-vhost/perm-user', { configure: '.*', write: '.*', read: '.*' })).status, 400, 'a missing vhost');
  t.equal((await api.del('/api/permissions/perm-vhost/perm-user')).status, 204);
  t.equal((await api.get('/api/permissions/perm-vhost/perm-user')).status, 404);
});
