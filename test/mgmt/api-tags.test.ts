/**
 * What each user tag may do: an endpoint refused for want of a tag answers 401 with RabbitMQ's reason
 * ("Not administrator user", "Not monitor user", "User not authorised to access object" for policies and
 * parameters, "Not management user" to a user without a management tag), and monitoring does not include
 * policymaker's rights nor policymaker monitoring's. Checked against what RabbitMQ 3.10.8 answered, and
 * against a live RabbitMQ when one is reachable.
 */
import type { Test } from 'tap';
import { enc } from './fixtures/api.js';
import { recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

/** The users of the scenario by their tags ('' none), each with every permission in the scenario's vhost. */
const ROLES = ['', 'management', 'policymaker', 'monitoring'] as const;
type Role = (typeof ROLES)[number];

const policy = { pattern: '^none$', definition: { 'max-length': 1 }, priority: 0, 'apply-to': 'queues' };
/** The calls each user makes, in order; {v} is the scenario's vhost. */
const CALLS: [string, string, unknown?][] = [
  ['GET', '/api/whoami'],
  ['GET', '/api/overview'],
  ['GET', '/api/users'],
  ['GET', '/api/users/guest'],
  ['PUT', '/api/users/{v}-made', { password: 'pw', tags: '' }],
  ['GET', '/api/permissions'],
  ['GET', '/api/vhosts/{v}'],
  ['PUT', '/api/vhosts/{v}-made', {}],
  ['DELETE', '/api/vhosts/{v}-missing'],
  ['GET', '/api/vhosts/{v}/permissions'],
  ['GET', '/api/topic-permissions'],
  ['GET', '/api/definitions'],
  ['GET', '/api/definitions/{v}'],
  ['POST', '/api/definitions', {}],
  ['GET', '/api/nodes'],
  ['GET', '/api/health/checks/alarms'],
  ['GET', '/api/policies/{v}/p'],
  ['PUT', '/api/policies/{v}/p', policy],
  ['DELETE', '/api/policies/{v}/missing'],
  ['GET', '/api/operator-policies/{v}'],
  ['GET', '/api/operator-policies/{v}/op'],
  ['PUT', '/api/operator-policies/{v}/op', policy],
  ['GET', '/api/parameters'],
  // RabbitMQ lets a policymaker set an operator policy this way
  ['PUT', '/api/parameters/operator_policy/{v}/op', { value: policy }],
  ['DELETE', '/api/parameters/operator_policy/{v}/op'],
];

/** Each call as `${status} ${body}`, a 200 as '200' (its body is the broker's own). */
async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  const name = (role: Role) => `${role || 'none'}-${side.vhost}`;
  for (const role of ROLES) {
    await api.ok('PUT', `/api/users/${enc(name(role))}`, { password: 'pw', tags: role });
    t.teardown(async () => void (await api.del(`/api/users/${enc(name(role))}`)));
    await api.ok('PUT', `/api/permissions/${v}/${enc(name(role))}`, { configure: '.*', write: '.*', read: '.*' });
  }
  // in case a refusal did not refuse
  t.teardown(async () => {
    await api.del(`/api/users/${v}-made`);
    await api.del(`/api/vhosts/${v}-made`);
  });
  await api.ok('PUT', `/api/policies/${v}/p`, policy);
  const observed: Observations = {};
  for (const role of ROLES) {
    const out: Record<string, string> = {};
    for (const [method, path, body] of CALLS) {
      const r = await api.call(method, path.replaceAll('{v}', v), body, { as: `${name(role)}:pw` });
      out[`${method} ${path}`] = r.status === 200 ? '200' : `${r.status} ${r.text}`;
    }
    observed[role || 'no tags'] = out;
  }
  return observed;
}

const refused = (reason: string) => `401 {"error":"not_authorised","reason":"${reason}"}`;
const notAdministrator = refused('Not administrator user');
const notPolicymaker = refused('User not authorised to access object');
/** What a management user is answered; the others differ from it in their tag's endpoints. */
const MANAGEMENT: Record<string, string> = {
  'GET /api/whoami': '200',
  'GET /api/overview': '200',
  'GET /api/users': notAdministrator,
  'GET /api/users/guest': notAdministrator,
  'PUT /api/users/{v}-made': notAdministrator,
  'GET /api/permissions': notAdministrator,
  'GET /api/vhosts/{v}': notAdministrator,
  'PUT /api/vhosts/{v}-made': notAdministrator,
  'DELETE /api/vhosts/{v}-missing': notAdministrator,
  'GET /api/vhosts/{v}/permissions': notAdministrator,
  'GET /api/topic-permissions': notAdministrator,
  'GET /api/definitions': notAdministrator,
  'GET /api/definitions/{v}': notAdministrator,
  'POST /api/definitions': notAdministrator,
  'GET /api/nodes': refused('Not monitor user'),
  'GET /api/health/checks/alarms': '200',
  'GET /api/policies/{v}/p': notPolicymaker,
  'PUT /api/policies/{v}/p': notPolicymaker,
  'DELETE /api/policies/{v}/missing': notPolicymaker,
  'GET /api/operator-policies/{v}': '200',
  'GET /api/operator-policies/{v}/op': notAdministrator,
  'PUT /api/operator-policies/{v}/op': notAdministrator,
  'GET /api/parameters': notPolicymaker,
  'PUT /api/parameters/operator_policy/{v}/op': notPolicymaker,
  'DELETE /api/parameters/operator_policy/{v}/op': notPolicymaker,
};

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  'no tags': Object.fromEntries(Object.keys(MANAGEMENT).map((call) => [call, refused('Not management user')])),
  management: MANAGEMENT,
  policymaker: {
    ...MANAGEMENT,
    'GET /api/policies/{v}/p': '200',
    'PUT /api/policies/{v}/p': '204 ',
    'DELETE /api/policies/{v}/missing': '404 {"error":"Object Not Found","reason":"Not Found"}',
    'GET /api/parameters': '200',
    'PUT /api/parameters/operator_policy/{v}/op': '201 ',
    'DELETE /api/parameters/operator_policy/{v}/op': '204 ',
  },
  monitoring: { ...MANAGEMENT, 'GET /api/nodes': '200' },
};

await recordedTest("refusals for want of a tag, with RabbitMQ's statuses and reasons", 'warren-tags', RECORDED, scenario);
