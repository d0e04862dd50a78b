/**
 * PUT /api/parameters/policy/{vhost}/{name}: RabbitMQ refuses to set a policy as a runtime parameter
 * (400), after checking the vhost and the body's value, and sets nothing; /api/policies is the way.
 * Checked against what RabbitMQ 3.10.8 answered, and against a live RabbitMQ when one is reachable.
 */
import type { Test } from 'tap';
import { enc } from './fixtures/api.js';
import { recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

const VALUE = { pattern: '^x', definition: { 'max-length': 1 }, priority: 0, 'apply-to': 'queues' };

async function scenario(_t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  await api.ok('PUT', `/api/policies/${v}/existing`, VALUE);
  const answer = async (method: string, path: string, body?: unknown) => {
    const r = await api.call(method, path, body);
    return `${r.status} ${r.text}`;
  };
  return {
    'a new policy': await answer('PUT', `/api/parameters/policy/${v}/new`, { value: VALUE }),
    'an existing policy': await answer('PUT', `/api/parameters/policy/${v}/existing`, { value: { ...VALUE, priority: 5 } }),
    'without a value': await answer('PUT', `/api/parameters/policy/${v}/new`, {}),
    'in a missing vhost': await answer('PUT', `/api/parameters/policy/${enc(`${side.vhost}-missing`)}/new`, { value: VALUE }),
    'the policies afterwards': (await api.json(`/api/policies/${v}`)).map((p: { name: string; priority: number }) => `${p.name} ${p.priority}`),
  };
}

const REFUSED = '400 {"error":"bad_request","reason":"policies may not be set using this method"}';

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  'a new policy': REFUSED,
  'an existing policy': REFUSED,
  'without a value': '400 {"error":"bad_request","reason":"[{key_missing,value}]"}',
  'in a missing vhost': '404 {"error":"not_found","reason":"vhost_not_found"}',
  'the policies afterwards': ['existing 0'],
};

await recordedTest('a policy set as a parameter', 'hmg-policy-parameter', RECORDED, scenario);
