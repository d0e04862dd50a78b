/**
 * Vhost limits (max-connections, max-queues) and user limits (max-connections, max-channels): set and
 * read through /api/vhost-limits and /api/user-limits, then hit over AMQP and through the API. Checked
 * against what RabbitMQ 3.10.8 answered (and against a live RabbitMQ when one is reachable); then, on
 * Warren alone: limits survive a restart, go with their vhost or user, and a negative one is no limit.
 */
import t, { type Test } from 'tap';
import { startTestNode, tempDataDir } from '../helpers/node.js';
import { ask, declare, open } from './fixtures/amqp-answers.js';
import { Api, enc } from './fixtures/api.js';
import { recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api, amqpUrl } = side;
  const v = enc(side.vhost);
  const user = `${side.vhost}-u`;
  await api.ok('PUT', `/api/users/${enc(user)}`, { password: 'lim-pw', tags: '' });
  t.teardown(async () => void (await api.del(`/api/users/${enc(user)}`)));
  await api.ok('PUT', `/api/permissions/${v}/${enc(user)}`, { configure: '.*', write: '.*', read: '.*' });
  const put = async (path: string, body: unknown) => ((r) => `${r.status} ${r.text}`)(await api.put(path, body));
  const o: Observations = {};

  o['put vhost limits'] = [
    await put(`/api/vhost-limits/${v}/max-connections`, { value: 1 }),
    await put(`/api/vhost-limits/${v}/max-queues`, { value: -1 }),
    await put(`/api/vhost-limits/${v}/max-foo`, { value: 1 }),
    await put(`/api/vhost-limits/${v}/max-queues`, { value: 'x' }),
    await put(`/api/vhost-limits/${v}/max-queues`, { value: 1.5 }),
    await put(`/api/vhost-limits/${v}/max-queues`, {}),
  ];
  o['vhost limits'] = await api.json(`/api/vhost-limits/${v}`);
  o['get one vhost limit'] = (await api.get(`/api/vhost-limits/${v}/max-queues`)).status;
  const first = await open(t, amqpUrl, user, 'lim-pw', side.vhost);
  o['vhost connection limit'] = [first.answer, (await open(t, amqpUrl, 'guest', 'guest', side.vhost)).answer];
  o['delete vhost limit'] = [(await api.del(`/api/vhost-limits/${v}/max-connections`)).status, (await api.del(`/api/vhost-limits/${v}/max-connections`)).status];

  o['put user limits'] = [
    await put(`/api/user-limits/${enc(user)}/max-connections`, { value: 1 }),
    await put(`/api/user-limits/${enc(user)}/max-channels`, { value: 2 }),
    await put(`/api/user-limits/${enc(user)}/max-queues`, { value: 1 }),
    await put(`/api/user-limits/${enc(user)}/max-channels`, { value: 'x' }),
    await put(`/api/user-limits/${v}-nobody/max-channels`, { value: 1 }),
  ];
  o['user limits'] = await api.json(`/api/user-limits/${enc(user)}`);
  o['user shows its limits'] = (await api.json(`/api/users/${enc(user)}`)).limits;
  o['user connection limit'] = (await open(t, amqpUrl, user, 'lim-pw', side.vhost)).answer;
  o['user channel limit'] = [await ask(first.c, 1, { name: 'channel.open', outOfBand: '' }), await ask(first.c, 2, { name: 'channel.open', outOfBand: '' }), await ask(first.c, 3, { name: 'channel.open', outOfBand: '' })];

  await api.ok('PUT', `/api/vhost-limits/${v}/max-queues`, { value: 1 });
  const { c } = await open(t, amqpUrl, 'guest', 'guest', side.vhost);
  await ask(c, 1, { name: 'channel.open', outOfBand: '' });
  o['queue limit'] = [await ask(c, 1, declare('lq1')), await ask(c, 1, declare('lq2'))];
  c.sendMethod(1, { name: 'channel.close-ok' });
  await ask(c, 2, { name: 'channel.open', outOfBand: '' });
  o['redeclaring an existing queue'] = await ask(c, 2, declare('lq1'));
  o['queue limit through the API'] = await put(`/api/queues/${v}/lq3`, { durable: false, arguments: { 'x-max-length': 'bad' } });
  o['limits are a parameter'] = (await api.json(`/api/parameters/vhost-limits/${v}`)).map((p: Record<string, unknown>) => ({ ...p, vhost: undefined }));
  return o;
}

const closed = (replyText: string, classId = 10, methodId = 40) => ({ name: 'connection.close', replyCode: 530, replyText, classId, methodId });

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  'put vhost limits': [
    '204 ',
    '204 ',
    '400 {"error":"bad_request","reason":"Validation failed\\n\\nUnrecognised terms [{<<\\"max-foo\\">>,1}] in limits\\n"}',
    '400 {"error":"bad_request","reason":"Validation failed\\n\\nmax-queues should be a number, actually was <<\\"x\\">>\\n"}',
    '400 {"error":"bad_request","reason":"Validation failed\\n\\nmax-queues should be a number, actually was 1.5\\n"}',
    '400 {"error":"bad_request","reason":"[{key_missing,value}]"}',
  ],
  'vhost limits': [{ vhost: '{vhost}', value: { 'max-connections': 1, 'max-queues': -1 } }],
  'get one vhost limit': 405,
  'vhost connection limit': ['connection.open-ok', closed("NOT_ALLOWED - access to vhost '{vhost}' refused for user 'guest': connection limit (1) is reached")],
  'delete vhost limit': [204, 204],
  'put user limits': [
    '204 ',
    '204 ',
    '400 {"error":"bad_request","reason":"Unrecognised terms [{<<\\"max-queues\\">>,1}] in user-limits"}',
    '400 {"error":"bad_request","reason":"max-channels should be a number, actually was <<\\"x\\">>"}',
    '400 {"error":"bad_request","reason":["no_such_user","{vhost}-nobody"]}',
  ],
  'user limits': [{ user: '{vhost}-u', value: { 'max-connections': 1, 'max-channels': 2 } }],
  'user shows its limits': { 'max-connections': 1, 'max-channels': 2 },
  'user connection limit': closed("NOT_ALLOWED - connection refused for user '{vhost}-u': user connection limit (1) is reached"),
  'user channel limit': [
    'channel.open-ok',
    'channel.open-ok',
    closed("NOT_ALLOWED - number of channels opened for user '{vhost}-u' has reached the maximum allowed user limit of (2)", 0, 0),
  ],
  'queue limit': [
    'queue.declare-ok',
    { name: 'channel.close', replyCode: 406, replyText: "PRECONDITION_FAILED - cannot declare queue 'lq2': queue limit in vhost '{vhost}' (1) is reached", classId: 50, methodId: 10 },
  ],
  'redeclaring an existing queue': 'queue.declare-ok',
  'queue limit through the API': `400 {"error":"bad_request","reason":"cannot declare queue 'lq3': queue limit in vhost '{vhost}' (1) is reached"}`,
  'limits are a parameter': [{ component: 'vhost-limits', name: 'limits', value: { 'max-queues': 1 } }],
};

await recordedTest('vhost and user limits: the API and what a client gets at each limit', 'warren-limits', RECORDED, scenario);

/** A node on its own data folder, restartable. */
const data = tempDataDir();
t.teardown(data.remove);
const start = async () => {
  const node = await startTestNode({ dataDir: data.dir });
  return { node, api: new Api(`http://127.0.0.1:${node.node.mgmt.port}`) };
};

t.test('limits survive a restart, and go with their vhost or user', async (t) => {
  let { node, api } = await start();
  await api.ok('PUT', '/api/vhosts/kept', {});
  await api.ok('PUT', '/api/users/kept-user', { password: 'pw', tags: '' });
  await api.ok('PUT', '/api/permissions/kept/kept-user', { configure: '.*', write: '.*', read: '.*' });
  await api.ok('PUT', '/api/vhost-limits/kept/max-connections', { value: 0 });
  await api.ok('PUT', '/api/vhost-limits/kept/max-queues', { value: 7 });
  await api.ok('PUT', '/api/user-limits/kept-user/max-channels', { value: 3 });
  await api.ok('PUT', '/api/vhosts/gone', {});
  await api.ok('PUT', '/api/vhost-limits/gone/max-queues', { value: 1 });
  await api.ok('PUT', '/api/users/gone-user', { password: 'pw', tags: '' });
  await api.ok('PUT', '/api/user-limits/gone-user/max-connections', { value: 1 });
  await api.ok('DELETE', '/api/vhosts/gone');
  await api.ok('DELETE', '/api/users/gone-user');
  await node.close();

  ({ node, api } = await start());
  t.teardown(() => node.close());
  t.same(await api.json('/api/vhost-limits'), [{ vhost: 'kept', value: { 'max-connections': 0, 'max-queues': 7 } }], "the vhost's limits, not the deleted vhost's");
  t.same(await api.json('/api/user-limits'), [{ user: 'kept-user', value: { 'max-channels': 3 } }], "the user's limits, not the deleted user's");
  await api.ok('PUT', '/api/vhosts/gone', {});
  await api.ok('PUT', '/api/users/gone-user', { password: 'pw', tags: '' });
  t.same(await api.json('/api/vhost-limits/gone'), [], 'a vhost made again under the same name has no limits');
  t.same(await api.json('/api/user-limits/gone-user'), [], 'nor a user');
  const refused = await open(t, node.url, 'kept-user', 'pw', 'kept');
  t.match(refused.answer, { replyCode: 530, replyText: /connection limit \(0\) is reached/ }, 'and they hold after the restart');
  const exported = await api.json('/api/definitions');
  t.same(exported.users.find((u: { name: string }) => u.name === 'kept-user').limits, { 'max-channels': 3 }, 'users are exported with their limits');
  t.match(exported.parameters, [{ vhost: 'kept', component: 'vhost-limits', name: 'limits', value: { 'max-connections': 0, 'max-queues': 7 } }], 'vhost limits as RabbitMQ exports them');
});

t.test('a negative limit is no limit; a deleted one no longer holds', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
  await api.ok('PUT', '/api/vhost-limits/%2F/max-queues', { value: -1 });
  await api.ok('PUT', '/api/vhost-limits/%2F/max-connections', { value: 0 });
  t.match((await open(t, node.url, 'guest', 'guest', '/')).answer, { replyCode: 530 }, 'max-connections 0: none');
  await api.ok('DELETE', '/api/vhost-limits/%2F/max-connections');
  const { c, answer } = await open(t, node.url, 'guest', 'guest', '/');
  t.equal(answer, 'connection.open-ok', 'deleted: connections again');
  await ask(c, 1, { name: 'channel.open', outOfBand: '' });
  for (let i = 0; i < 5; i++) t.equal(await ask(c, 1, declare(`unlimited-${i}`)), 'queue.declare-ok', `max-queues -1: queue ${i}`);
  t.same(await api.json('/api/vhost-limits/%2F'), [{ vhost: '/', value: { 'max-queues': -1 } }]);
});

t.test('who may see and set limits', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);
  await api.ok('PUT', '/api/users/mgmt', { password: 'pw', tags: 'management' });
  await api.ok('PUT', '/api/users/mon', { password: 'pw', tags: 'monitoring' });
  await api.ok('PUT', '/api/vhosts/private', {});
  await api.ok('PUT', '/api/vhost-limits/private/max-queues', { value: 1 });
  t.same(await api.json('/api/vhost-limits', { as: 'mgmt:pw' }), [], 'a management user sees the limits of the vhosts it may use only');
  t.equal((await api.get('/api/vhost-limits/private', { as: 'mgmt:pw' })).status, 401);
  t.same(await api.json('/api/vhost-limits/private', { as: 'mon:pw' }), [{ vhost: 'private', value: { 'max-queues': 1 } }], 'a monitoring user sees every vhost');
  t.equal((await api.put('/api/vhost-limits/private/max-queues', { value: 2 }, { as: 'mon:pw' })).status, 401, 'only administrators set them');
  t.equal((await api.put('/api/user-limits/mgmt/max-channels', { value: 2 }, { as: 'mon:pw' })).status, 401);
  t.equal((await api.del('/api/user-limits/nobody/max-channels')).status, 404, 'a missing user (RabbitMQ answers 500)');
  t.equal((await api.del('/api/vhost-limits/nobody/max-queues')).status, 404, 'a missing vhost (RabbitMQ answers 500)');
});
