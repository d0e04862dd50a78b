/**
 * What the API does as a user who may not: the endpoints RabbitMQ's management plugin runs as AMQP
 * methods for the user (publish, get, bindings, declare and delete, purge) check the user's access to the
 * vhost, its configure/write/read patterns and its topic permissions, and answer each refusal with
 * RabbitMQ's status and body. Checked against what RabbitMQ 3.10.8 answered, and against a live RabbitMQ
 * when one is reachable.
 */
import type { Test } from 'tap';
import { enc } from './fixtures/api.js';
import { recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

/** The users of the scenario: tags and permissions in its vhost (none: no permission there at all). */
const USERS = {
  outsider: { tags: 'management', permission: null },
  monitor: { tags: 'monitoring', permission: null },
  admin: { tags: 'administrator', permission: null },
  nothing: { tags: 'management', permission: { configure: '^$', write: '^$', read: '^$' } },
  partial: { tags: 'management', permission: { configure: '.*', write: '^q$', read: '^t$' } },
  topical: { tags: 'management', permission: { configure: '.*', write: '.*', read: '.*' } },
} as const;
type Role = keyof typeof USERS;

const publish = (key: string) => ({ routing_key: key, payload: 'm', payload_encoding: 'string', properties: {} });
const get = { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' };

/** Each call as `${status} ${body}`. */
async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  const name = (role: Role) => `${role}-${side.vhost}`;
  for (const [role, u] of Object.entries(USERS) as [Role, (typeof USERS)[Role]][]) {
    await api.ok('PUT', `/api/users/${enc(name(role))}`, { password: 'pw', tags: u.tags });
    t.teardown(async () => void (await api.del(`/api/users/${enc(name(role))}`)));
    if (u.permission) await api.ok('PUT', `/api/permissions/${v}/${enc(name(role))}`, u.permission);
  }
  await api.ok('PUT', `/api/topic-permissions/${v}/${enc(name('topical'))}`, { exchange: 't', write: '^a', read: '^b' });
  await api.ok('PUT', `/api/exchanges/${v}/t`, { type: 'topic', durable: false });
  await api.ok('PUT', `/api/exchanges/${v}/h`, { type: 'headers', durable: false });
  await api.ok('PUT', `/api/queues/${v}/q`, { durable: false });
  await api.ok('POST', `/api/bindings/${v}/e/t/q/q`, { routing_key: 'existing' });

  const as = (role: Role | 'guest') => ({ as: role === 'guest' ? 'guest:guest' : `${name(role)}:pw` });
  const call = async (role: Role | 'guest', method: string, path: string, body?: unknown) => {
    const r = await api.call(method, path.replaceAll('{v}', v), body, as(role));
    return `${r.status} ${r.text}`;
  };
  const refusedEverything = async (role: Role) => ({
    publish: await call(role, 'POST', '/api/exchanges/{v}/t/publish', publish('k')),
    'publish to the default exchange': await call(role, 'POST', '/api/exchanges/{v}/amq.default/publish', publish('q')),
    'publish to a missing exchange': await call(role, 'POST', '/api/exchanges/{v}/missing/publish', publish('k')),
    get: await call(role, 'POST', '/api/queues/{v}/q/get', get),
    'get from a missing queue': await call(role, 'POST', '/api/queues/{v}/missing/get', get),
    bind: await call(role, 'POST', '/api/bindings/{v}/e/t/q/q', { routing_key: 'x' }),
    'bind exchanges': await call(role, 'POST', '/api/bindings/{v}/e/t/e/h', { routing_key: 'x' }),
    'bind a missing queue': await call(role, 'POST', '/api/bindings/{v}/e/t/q/missing', { routing_key: 'x' }),
    unbind: await call(role, 'DELETE', '/api/bindings/{v}/e/t/q/q/existing'),
    'declare a queue': await call(role, 'PUT', '/api/queues/{v}/new.q', { durable: false }),
    'declare an exchange': await call(role, 'PUT', '/api/exchanges/{v}/new.x', { type: 'direct', durable: false }),
    'delete a queue': await call(role, 'DELETE', '/api/queues/{v}/q'),
    'delete an exchange': await call(role, 'DELETE', '/api/exchanges/{v}/t'),
    purge: await call(role, 'DELETE', '/api/queues/{v}/q/contents'),
  });
  return {
    'no permission in the vhost': await refusedEverything('outsider'),
    'monitoring, no permission in the vhost': await refusedEverything('monitor'),
    'administrator, no permission in the vhost': await refusedEverything('admin'),
    'permissions that match nothing': await refusedEverything('nothing'),
    'write on q, read on t': {
      'bind t to q': await call('partial', 'POST', '/api/bindings/{v}/e/t/q/q', { routing_key: 'p' }),
      'bind t to h (no write on h)': await call('partial', 'POST', '/api/bindings/{v}/e/t/e/h', { routing_key: 'p' }),
      'bind h to q (no read on h)': await call('partial', 'POST', '/api/bindings/{v}/e/h/q/q', { routing_key: 'p' }),
      'unbind t from q': await call('partial', 'DELETE', '/api/bindings/{v}/e/t/q/q/p'),
      'publish to t': await call('partial', 'POST', '/api/exchanges/{v}/t/publish', publish('k')),
      'get from q': await call('partial', 'POST', '/api/queues/{v}/q/get', get),
    },
    'topic permission on t, write ^a and read ^b': {
      'publish a key it may not': await call('topical', 'POST', '/api/exchanges/{v}/t/publish', publish('x')),
      'publish a key it may': await call('topical', 'POST', '/api/exchanges/{v}/t/publish', publish('a1')),
      'bind a key it may not': await call('topical', 'POST', '/api/bindings/{v}/e/t/q/q', { routing_key: 'x' }),
      'bind a key it may': await call('topical', 'POST', '/api/bindings/{v}/e/t/q/q', { routing_key: 'b1' }),
      'bind on a headers exchange (not checked)': await call('topical', 'POST', '/api/bindings/{v}/e/h/q/q', { routing_key: 'x' }),
      'unbind a key it may not': await call('topical', 'DELETE', '/api/bindings/{v}/e/t/q/q/existing'),
      'unbind a key it may': await call('topical', 'DELETE', '/api/bindings/{v}/e/t/q/q/b1'),
    },
    'allowed everything, missing objects': {
      'publish to a missing exchange': await call('guest', 'POST', '/api/exchanges/{v}/missing/publish', publish('k')),
      'get from a missing queue': await call('guest', 'POST', '/api/queues/{v}/missing/get', get),
      'bind a missing queue': await call('guest', 'POST', '/api/bindings/{v}/e/t/q/missing', { routing_key: 'x' }),
      'bind from a missing exchange': await call('guest', 'POST', '/api/bindings/{v}/e/missing/q/q', { routing_key: 'x' }),
      'both missing': await call('guest', 'POST', '/api/bindings/{v}/e/missing/q/missing', { routing_key: 'x' }),
      'unbind a missing binding': await call('guest', 'DELETE', '/api/bindings/{v}/e/t/q/q/missing'),
    },
  };
}

const vhostRefused = '401 {"error":"not_authorised","reason":"User not authorised to access virtual host"}';
const accessRefused = '401 {"error":"not_authorised","reason":"Access refused."}';
const everyCall = (reply: string) => ({
  publish: reply,
  'publish to the default exchange': reply,
  'publish to a missing exchange': reply,
  get: reply,
  'get from a missing queue': reply,
  bind: reply,
  'bind exchanges': reply,
  'bind a missing queue': reply,
  unbind: reply,
  'declare a queue': reply,
  'declare an exchange': reply,
  'delete a queue': reply,
  'delete an exchange': reply,
  purge: reply,
});
const refused = (what: string, user: string) => `access to ${what} in vhost '{vhost}' refused for user '${user}-{vhost}'`;

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  'no permission in the vhost': everyCall(vhostRefused),
  'monitoring, no permission in the vhost': everyCall(vhostRefused),
  'administrator, no permission in the vhost': everyCall(accessRefused),
  'permissions that match nothing': {
    ...everyCall(accessRefused),
    publish: `400 {"error":"bad_request","reason":"403 ACCESS_REFUSED - ${refused("exchange 't'", 'nothing')}"}`,
    'publish to the default exchange': `400 {"error":"bad_request","reason":"403 ACCESS_REFUSED - ${refused("exchange 'amq.default'", 'nothing')}"}`,
    'publish to a missing exchange': `400 {"error":"bad_request","reason":"403 ACCESS_REFUSED - ${refused("exchange 'missing'", 'nothing')}"}`,
    get: `401 {"error":"not_authorised","reason":"ACCESS_REFUSED - ${refused("queue 'q'", 'nothing')}"}`,
    'get from a missing queue': `401 {"error":"not_authorised","reason":"ACCESS_REFUSED - ${refused("queue 'missing'", 'nothing')}"}`,
  },
  'write on q, read on t': {
    'bind t to q': '201 ',
    'bind t to h (no write on h)': accessRefused,
    'bind h to q (no read on h)': accessRefused,
    'unbind t from q': '204 ',
    'publish to t': `400 {"error":"bad_request","reason":"403 ACCESS_REFUSED - ${refused("exchange 't'", 'partial')}"}`,
    'get from q': `401 {"error":"not_authorised","reason":"ACCESS_REFUSED - ${refused("queue 'q'", 'partial')}"}`,
  },
  'topic permission on t, write ^a and read ^b': {
    'publish a key it may not': `400 {"error":"bad_request","reason":"403 ACCESS_REFUSED - ${refused("topic 'x' in exchange 't'", 'topical')}"}`,
    'publish a key it may': '200 {"routed":false}',
    'bind a key it may not': accessRefused,
    'bind a key it may': '201 ',
    'bind on a headers exchange (not checked)': '201 ',
    'unbind a key it may not': accessRefused,
    'unbind a key it may': '204 ',
  },
  'allowed everything, missing objects': {
    'publish to a missing exchange': `400 {"error":"bad_request","reason":"404 NOT_FOUND - no exchange 'missing' in vhost '{vhost}'"}`,
    'get from a missing queue': `404 {"error":"not_found","reason":"NOT_FOUND - no queue 'missing' in vhost '{vhost}'"}`,
    'bind a missing queue': `404 {"error":"not_found","reason":"no queue 'missing' in vhost '{vhost}'"}`,
    'bind from a missing exchange': `404 {"error":"not_found","reason":"no exchange 'missing' in vhost '{vhost}'"}`,
    'both missing': `404 {"error":"not_found","reason":"no exchange 'missing' in vhost '{vhost}'"}`,
    'unbind a missing binding': '404 {"error":"Object Not Found","reason":"Not Found"}',
  },
};

await recordedTest("refusals, with RabbitMQ's statuses and bodies", 'warren-perms', RECORDED, scenario);
