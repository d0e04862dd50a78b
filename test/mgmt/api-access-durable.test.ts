/**
 * Access definitions the management API keeps beyond names, across a restart on the same data folder:
 * vhost description and tags, topic permissions (set, replaced, deleted, and gone with their vhost or
 * user), users with other tags than the management ones, imported MD5 and SHA-512 password hashes, and
 * users without a password. Also: PUT of a hash with its hashing_algorithm, and an operator policy
 * written as a parameter.
 */
import { createHash } from 'node:crypto';
import t, { type Test } from 'tap';
import { startTestNode, tempDataDir, type TestNode } from '../helpers/node.js';
import { Api } from './fixtures/api.js';

const data = tempDataDir();
t.teardown(data.remove);

async function start(): Promise<{ node: TestNode; api: Api }> {
  const node = await startTestNode({ dataDir: data.dir });
  return { node, api: new Api(`http://127.0.0.1:${node.node.mgmt.port}`) };
}

const hashed = (algorithm: 'md5' | 'sha512', password: string): string => {
  const salt = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([salt, createHash(algorithm).update(salt).update(password).digest()]).toString('base64');
};

async function define(api: Api): Promise<void> {
  await api.ok('PUT', '/api/vhosts/meta', { description: 'kept', tags: 'a, b' });
  await api.ok('PUT', '/api/vhosts/gone', { description: 'deleted' });
  await api.ok('PUT', '/api/users/tp-user', { password: 'pw', tags: 'custom,management' });
  for (const user of ['other-user', 'cleared-user']) await api.ok('PUT', `/api/users/${user}`, { password: 'pw', tags: '' });
  for (const [vhost, user] of [['meta', 'tp-user'], ['gone', 'tp-user'], ['meta', 'other-user'], ['meta', 'cleared-user']] as const) {
    await api.ok('PUT', `/api/permissions/${vhost}/${user}`, { configure: '.*', write: '.*', read: '.*' });
    await api.ok('PUT', `/api/topic-permissions/${vhost}/${user}`, { exchange: 'amq.topic', write: '^a', read: '^b' });
  }
  await api.ok('PUT', '/api/topic-permissions/meta/tp-user', { exchange: 'amq.topic', write: '^w', read: '^r' });
  await api.ok('PUT', '/api/topic-permissions/meta/tp-user', { exchange: 'other.x', write: '.*', read: '' });
  await api.ok('PUT', '/api/topic-permissions/meta/cleared-user', { exchange: 'other.x', write: '.*', read: '.*' });
  await api.ok('DELETE', '/api/topic-permissions/meta/cleared-user');
  await api.ok('DELETE', '/api/vhosts/gone');
  await api.ok('DELETE', '/api/users/other-user');
  await api.ok('PUT', '/api/users/sha512-user', { password_hash: hashed('sha512', 'pw512'), hashing_algorithm: 'rabbit_password_hashing_sha512', tags: 'management' });
  const md5 = { name: 'md5-user', password_hash: hashed('md5', 'pw5'), hashing_algorithm: 'rabbit_password_hashing_md5', tags: 'management' };
  await api.ok('POST', '/api/definitions', { users: [md5] });
  await api.ok('PUT', '/api/users/no-password', { tags: 'management' });
  await api.ok('PUT', '/api/parameters/operator_policy/meta/op-as-param', { value: { pattern: '^q$', definition: { 'max-length': 9 }, priority: 1, 'apply-to': 'queues' } });
}

async function check(t: Test, api: Api, when: string): Promise<void> {
  t.match(await api.json('/api/vhosts/meta'), { description: 'kept', tags: ['a', 'b'], metadata: { description: 'kept', tags: ['a', 'b'] } }, `${when}: vhost metadata`);
  t.match((await api.json('/api/definitions')).vhosts.find((v: { name: string }) => v.name === 'meta'), { metadata: { description: 'kept', tags: ['a', 'b'] } }, `${when}: exported`);
  t.same(
    await api.json('/api/topic-permissions'),
    [
      { user: 'tp-user', vhost: 'meta', exchange: 'amq.topic', write: '^w', read: '^r' },
      { user: 'tp-user', vhost: 'meta', exchange: 'other.x', write: '.*', read: '' },
    ],
    `${when}: topic permissions, replaced and deleted ones and those of a deleted vhost or user not among them`,
  );
  t.same((await api.json('/api/definitions')).topic_permissions, await api.json('/api/topic-permissions'), `${when}: exported`);
  t.same((await api.json('/api/users/tp-user')).tags, ['custom', 'management'], `${when}: any tag is kept`);
  t.equal((await api.get('/api/whoami', { as: 'tp-user:pw' })).status, 200, `${when}: the management tag still counts`);
  t.equal((await api.get('/api/whoami', { as: 'sha512-user:pw512' })).status, 200, `${when}: a SHA-512 hash, PUT with its algorithm`);
  t.equal((await api.get('/api/whoami', { as: 'md5-user:pw5' })).status, 200, `${when}: an imported MD5 hash`);
  t.equal((await api.json('/api/users/md5-user')).hashing_algorithm, 'rabbit_password_hashing_md5', `${when}: shown with its algorithm`);
  t.match(await api.json('/api/users/no-password'), { password_hash: '', tags: ['management'] }, `${when}: a user without a password`);
  t.equal((await api.get('/api/whoami', { as: 'no-password:' })).status, 401, `${when}: which cannot log in`);
  t.match(await api.json('/api/operator-policies/meta/op-as-param'), { definition: { 'max-length': 9 } }, `${when}: the operator policy PUT as a parameter`);
}

t.test('kept by the node and after a restart', async (t) => {
  const first = await start();
  await define(first.api);
  await check(t, first.api, 'running');
  await first.node.close();
  const second = await start();
  t.teardown(() => second.node.close());
  await check(t, second.api, 'after a restart');
});

t.test('bad input', async (t) => {
  const { node, api } = await start();
  t.teardown(() => node.close());
  const cases: [string, string, unknown, RegExp][] = [
    ['PUT', '/api/users/bad-hash', { password_hash: 'AQIDBA==', hashing_algorithm: 'rabbit_password_hashing_rot13' }, /hashing_algorithm/],
    ['PUT', '/api/vhosts/bad-meta', { description: 5 }, /description/],
    ['PUT', '/api/vhosts/bad-meta', { tags: 5 }, /tags/],
    ['PUT', '/api/topic-permissions/meta/tp-user', { exchange: 'amq.topic', write: '(', read: '.*' }, /write/],
    ['PUT', '/api/topic-permissions/meta/tp-user', { write: '.*', read: '.*' }, /exchange/],
    ['PUT', '/api/topic-permissions/meta/no-such-user', { exchange: 'amq.topic', write: '.*', read: '.*' }, /vhost_or_user_not_found/],
    ['PUT', '/api/parameters/operator_policy/meta/bad-op', { value: { pattern: '.', definition: { 'ha-mode': 'all' } } }, /ha-mode/],
  ];
  for (const [method, path, body, reason] of cases) {
    const r = await api.call(method, path, body);
    t.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
    t.match(r.json, { reason }, 'with a reason');
  }
  t.equal((await api.get('/api/topic-permissions/meta/nobody')).status, 404, 'no topic permissions: 404');
  t.equal((await api.del('/api/topic-permissions/meta/nobody')).status, 404, 'nothing to delete: 404');
});
