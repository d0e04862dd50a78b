/**
 * Policies, operator policies and parameters through the management API against a real node: CRUD,
 * their effect on matching queues, 400 with reasons for unknown keys, bad values and keys an operator
 * policy may not set (ha-mode), and who may change them.
 */
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { Api, CREATED } from './fixtures/api.js';

const node = await startTestNode();
t.teardown(() => node.close());
const api = new Api(`http://127.0.0.1:${node.node.mgmt.port}`);

const publish = (key: string, payload: string) => api.ok('POST', '/api/exchanges/%2F/amq.default/publish', { routing_key: key, payload, payload_encoding: 'string', properties: {} });
const queue = (name: string) => api.json(`/api/queues/%2F/${name}`);

t.test('policies: CRUD and the effect on matching queues', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/pol.q', { durable: true });
  await api.ok('PUT', '/api/queues/%2F/other.q', { durable: true });
  const body = { pattern: '^pol\\.', definition: { 'max-length': 2, 'message-ttl': 60000 }, priority: 1, 'apply-to': 'queues' };
  t.ok(CREATED.includes((await api.put('/api/policies/%2F/pol-limit', body)).status), 'created');
  t.same(await api.json('/api/policies/%2F/pol-limit'), { vhost: '/', name: 'pol-limit', ...body });
  t.ok((await api.json('/api/policies/%2F')).some((p: { name: string }) => p.name === 'pol-limit'), 'listed in the vhost');
  t.ok((await api.json('/api/policies')).some((p: { name: string }) => p.name === 'pol-limit'), 'listed');

  const q = await queue('pol.q');
  t.equal(q.policy, 'pol-limit', "the queue names its policy");
  t.match(q.effective_policy_definition, { 'max-length': 2, 'message-ttl': 60000 }, 'and shows the effective definition');
  t.notOk((await queue('other.q')).policy, 'a queue the pattern does not match has none');
  await api.ok('PUT', '/api/queues/%2F/args.q', { durable: true, arguments: { 'x-max-length': 5 } });
  t.same((await queue('args.q')).effective_policy_definition, {}, 'queue arguments are not part of the effective policy definition');
  for (const p of ['1', '2', '3', '4']) await publish('pol.q', p);
  t.equal((await queue('pol.q')).messages, 2, 'max-length from the policy is enforced');

  await api.ok('PUT', '/api/policies/%2F/pol-high', { pattern: '^pol\\.q$', definition: { 'max-length': 3 }, priority: 5, 'apply-to': 'queues' });
  t.equal((await queue('pol.q')).policy, 'pol-high', 'the highest priority wins');
  await api.ok('PUT', '/api/policies/%2F/pol-x', { pattern: '^pol\\.', definition: { 'max-length': 1 }, priority: 9, 'apply-to': 'exchanges' });
  t.equal((await queue('pol.q')).policy, 'pol-high', 'an exchanges-only policy does not apply to queues');

  t.equal((await api.del('/api/policies/%2F/pol-high')).status, 204);
  t.equal((await queue('pol.q')).policy, 'pol-limit', 'the next one applies when it is deleted');
  for (const name of ['pol-limit', 'pol-x']) t.equal((await api.del(`/api/policies/%2F/${name}`)).status, 204);
  t.notOk((await queue('pol.q')).policy, 'none left');
  t.equal((await api.get('/api/policies/%2F/pol-limit')).status, 404);
  t.equal((await api.del('/api/policies/%2F/pol-limit')).status, 404);
  t.equal((await api.put('/api/policies/no-vhost/p', body)).status, 404, 'a missing vhost');
});

t.test('policies: 400 with the reason for bad definitions', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ pattern: '.', definition: { 'no-such-key': 1 } }, /no-such-key/],
    [{ pattern: '.', definition: { 'max-length': -1 } }, /maximum length/],
    [{ pattern: '.', definition: { 'message-ttl': 'soon' } }, /message TTL/],
    [{ pattern: '.', definition: { 'ha-mode': 'sometimes' } }, /ha-mode/],
    [{ pattern: '.', definition: {} }, /no policy provided/],
    [{ pattern: '.', definition: 'max-length=1' }, /definition/],
    [{ pattern: '(', definition: { 'max-length': 1 } }, /pattern/],
    [{ definition: { 'max-length': 1 } }, /pattern/],
    [{ pattern: '.', definition: { 'max-length': 1 }, 'apply-to': 'bindings' }, /apply-to/],
    [{ pattern: '.', definition: { 'max-length': 1 }, priority: 'high' }, /priority/],
  ];
  for (const [body, reason] of cases) {
    const r = await api.put('/api/policies/%2F/bad', body);
    t.equal(r.status, 400, JSON.stringify(body));
    t.match(r.json, { error: String, reason }, 'the reason names the problem');
  }
  const two = await api.put('/api/policies/%2F/bad', { pattern: '.', definition: { 'first-bad': 1, 'max-length': 'x' } });
  t.match(two.json.reason, /^Validation failed\n\n.*maximum length\n$/, 'only the first problem with the definition is named, as RabbitMQ does');
  t.equal((await api.get('/api/policies/%2F/bad')).status, 404, 'nothing was stored');
  t.ok(CREATED.includes((await api.put('/api/policies/%2F/ha', { pattern: '^ha\\.', definition: { 'ha-mode': 'exactly', 'ha-params': 2, 'ha-sync-mode': 'automatic' } })).status), 'mirroring keys are accepted in a policy');
  await api.ok('DELETE', '/api/policies/%2F/ha');
});

t.test('operator policies: CRUD, the stricter limit applies, ha-mode and dead-lettering refused', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/op.q', { durable: true, arguments: { 'x-max-length': 5 } });
  const body = { pattern: '^op\\.', definition: { 'max-length': 3 }, priority: 0, 'apply-to': 'queues' };
  t.ok(CREATED.includes((await api.put('/api/operator-policies/%2F/op-cap', body)).status));
  t.same(await api.json('/api/operator-policies/%2F/op-cap'), { vhost: '/', name: 'op-cap', ...body });
  t.ok((await api.json('/api/operator-policies')).some((p: { name: string }) => p.name === 'op-cap'), 'listed');
  t.equal((await api.json('/api/policies/%2F')).length, 0, 'not among the user policies');
  const q = await queue('op.q');
  t.equal(q.operator_policy, 'op-cap', 'the queue names its operator policy');
  t.equal(q.effective_policy_definition['max-length'], 3, 'the lower of argument and operator policy');
  for (const p of ['1', '2', '3', '4', '5']) await publish('op.q', p);
  t.equal((await queue('op.q')).messages, 3, 'enforced');

  for (const [definition, key] of [
    [{ 'ha-mode': 'all' }, 'ha-mode'],
    [{ 'dead-letter-exchange': 'dlx' }, 'dead-letter-exchange'],
    [{ 'federation-upstream-set': 'all' }, 'federation-upstream-set'],
  ] as const) {
    const r = await api.put('/api/operator-policies/%2F/op-bad', { pattern: '.', definition });
    t.equal(r.status, 400, `${key} in an operator policy`);
    t.match(r.json.reason, new RegExp(key), 'the reason names the key');
  }
  t.equal((await api.put('/api/operator-policies/%2F/op-bad', { pattern: '.', definition: { 'max-lenght': 1 } })).status, 400, 'an unknown key');
  t.equal((await api.del('/api/operator-policies/%2F/op-cap')).status, 204);
  t.notOk((await queue('op.q')).operator_policy, 'cleared');
  t.equal((await api.del('/api/operator-policies/%2F/op-cap')).status, 404);
});

t.test('who may change policies: policymaker for policies, administrator for operator policies', async (t) => {
  await api.ok('PUT', '/api/users/pm-user', { password: 'pm-pw', tags: 'policymaker' });
  await api.ok('PUT', '/api/permissions/%2F/pm-user', { configure: '.*', write: '.*', read: '.*' });
  const as = { as: 'pm-user:pm-pw' };
  const body = { pattern: '^pm\\.', definition: { 'max-length': 1 } };
  t.ok(CREATED.includes((await api.put('/api/policies/%2F/pm-pol', body, as)).status), 'a policymaker sets a policy');
  t.equal((await api.del('/api/policies/%2F/pm-pol', as)).status, 204, 'and deletes it');
  t.equal((await api.put('/api/operator-policies/%2F/pm-op', body, as)).status, 401, 'but not an operator policy');
  t.equal((await api.get('/api/operator-policies/%2F', as)).status, 200, 'which it may read');
});

t.test('parameters: CRUD', async (t) => {
  const value = { uri: 'amqp://127.0.0.1:5673', 'prefetch-count': 100 };
  t.ok(CREATED.includes((await api.put('/api/parameters/federation-upstream/%2F/up-1', { value })).status), 'created');
  t.same(await api.json('/api/parameters/federation-upstream/%2F/up-1'), { vhost: '/', component: 'federation-upstream', name: 'up-1', value });
  t.match(await api.json('/api/parameters'), [{ component: 'federation-upstream', name: 'up-1', value }], 'listed');
  t.equal((await api.json('/api/parameters/federation-upstream')).length, 1, 'by component');
  t.equal((await api.json('/api/parameters/federation-upstream/%2F')).length, 1, 'by component and vhost');
  t.equal((await api.json('/api/parameters/shovel')).length, 0, 'another component');
  const bad = await api.put('/api/parameters/federation-upstream/%2F/up-2', { uri: 'amqp://x' });
  t.equal(bad.status, 400, 'a body without value');
  t.match(bad.json.reason, /value/);
  t.equal((await api.del('/api/parameters/federation-upstream/%2F/up-1')).status, 204);
  t.equal((await api.get('/api/parameters/federation-upstream/%2F/up-1')).status, 404);
  t.equal((await api.del('/api/parameters/federation-upstream/%2F/up-1')).status, 404);
});
