/**
 * How each endpoint answers a path naming a vhost that does not exist, as RabbitMQ's do: most 404
 * "Not Found" (the object does not exist), PUTs and POSTs that create something 404 not_found
 * "vhost_not_found", endpoints run on a channel (get, publish) 401 "Access refused.", the lists of a
 * missing object's bindings [] (and a missing queue's its default-exchange binding alone), the export
 * 400, permissions 400. Checked against what RabbitMQ 3.10.8 answered, and against a live RabbitMQ
 * when one is reachable.
 */
import type { Test } from 'tap';
import { enc } from './fixtures/api.js';
import { recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

const POLICY = { pattern: '^x', definition: { 'max-length': 1 } };
const MESSAGE = { routing_key: 'k', properties: {}, payload: 'x', payload_encoding: 'string' };
/** Requests on the missing vhost {m}, or on missing objects of the scenario's {v}: `method path` and the body. */
const CASES: [string, unknown?][] = [
  ['GET /api/queues/{m}'],
  ['GET /api/queues/{m}/q'],
  ['GET /api/exchanges/{m}/x'],
  ['GET /api/bindings/{m}'],
  ['GET /api/policies/{m}'],
  ['GET /api/consumers/{m}'],
  ['GET /api/vhosts/{m}/connections'],
  ['GET /api/vhosts/{m}/permissions'],
  ['GET /api/definitions/{m}'],
  ['GET /api/aliveness-test/{m}'],
  ['GET /api/queues/{m}/q/bindings'],
  ['GET /api/exchanges/{m}/x/bindings/source'],
  ['GET /api/exchanges/{m}/x/bindings/destination'],
  ['GET /api/bindings/{m}/e/x/q/q'],
  ['GET /api/bindings/{m}/e/x/q/q/k'],
  ['GET /api/queues/{v}/missing/bindings'],
  ['GET /api/exchanges/{v}/missing/bindings/source'],
  ['GET /api/bindings/{v}/e/missing/q/missing'],
  ['PUT /api/queues/{m}/q', { durable: false }],
  ['PUT /api/exchanges/{m}/x', { type: 'direct' }],
  ['POST /api/bindings/{m}/e/x/q/q', { routing_key: 'k' }],
  ['PUT /api/policies/{m}/p', POLICY],
  ['PUT /api/operator-policies/{m}/p', POLICY],
  ['PUT /api/parameters/operator_policy/{m}/p', { value: POLICY }],
  ['POST /api/definitions/{m}', {}],
  ['DELETE /api/queues/{m}/q'],
  ['DELETE /api/queues/{m}/q/contents'],
  ['DELETE /api/exchanges/{m}/x'],
  ['DELETE /api/bindings/{m}/e/x/q/q/k'],
  ['DELETE /api/policies/{m}/p'],
  ['POST /api/exchanges/{m}/x/publish', MESSAGE],
  ['POST /api/exchanges/{m}/amq.default/publish', MESSAGE],
  ['POST /api/queues/{m}/q/get', { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' }],
  ['PUT /api/permissions/{m}/guest', { configure: '.*', write: '.*', read: '.*' }],
  ['PUT /api/topic-permissions/{m}/guest', { exchange: 'amq.topic', write: '.*', read: '.*' }],
];

async function scenario(_t: Test, side: Side): Promise<Observations> {
  const out: Observations = {};
  for (const [request, body] of CASES) {
    const [method, path] = request.split(' ') as [string, string];
    const r = await side.api.call(method, path.replaceAll('{m}', enc(`${side.vhost}-missing`)).replaceAll('{v}', enc(side.vhost)), body);
    out[request] = `${r.status} ${r.text}`;
  }
  return out;
}

const NOT_FOUND = '404 {"error":"Object Not Found","reason":"Not Found"}';
const VHOST_NOT_FOUND = '404 {"error":"not_found","reason":"vhost_not_found"}';
const REFUSED = '401 {"error":"not_authorised","reason":"Access refused."}';
const NONE = '200 []';
const answers = (answer: string, requests: string[]) => Object.fromEntries(requests.map((r) => [r, answer]));

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  ...answers(NOT_FOUND, ['GET /api/queues/{m}', 'GET /api/queues/{m}/q', 'GET /api/exchanges/{m}/x', 'GET /api/bindings/{m}', 'GET /api/policies/{m}', 'GET /api/consumers/{m}']),
  ...answers(NOT_FOUND, ['GET /api/vhosts/{m}/connections', 'GET /api/vhosts/{m}/permissions', 'GET /api/aliveness-test/{m}', 'GET /api/bindings/{m}/e/x/q/q/k']),
  'GET /api/definitions/{m}': '400 {"error":"bad_request","reason":"vhost_not_found"}',
  ...answers(NONE, ['GET /api/queues/{m}/q/bindings', 'GET /api/exchanges/{m}/x/bindings/source', 'GET /api/exchanges/{m}/x/bindings/destination', 'GET /api/bindings/{m}/e/x/q/q']),
  'GET /api/queues/{v}/missing/bindings':
    '200 [{"source":"","vhost":"{vhost}","destination":"missing","destination_type":"queue","routing_key":"missing","arguments":{},"properties_key":"missing"}]',
  ...answers(NONE, ['GET /api/exchanges/{v}/missing/bindings/source', 'GET /api/bindings/{v}/e/missing/q/missing']),
  ...answers(VHOST_NOT_FOUND, ['PUT /api/queues/{m}/q', 'PUT /api/exchanges/{m}/x', 'POST /api/bindings/{m}/e/x/q/q', 'PUT /api/policies/{m}/p', 'PUT /api/operator-policies/{m}/p']),
  ...answers(VHOST_NOT_FOUND, ['PUT /api/parameters/operator_policy/{m}/p', 'POST /api/definitions/{m}']),
  ...answers(NOT_FOUND, ['DELETE /api/queues/{m}/q', 'DELETE /api/queues/{m}/q/contents', 'DELETE /api/exchanges/{m}/x', 'DELETE /api/bindings/{m}/e/x/q/q/k', 'DELETE /api/policies/{m}/p']),
  ...answers(REFUSED, ['POST /api/exchanges/{m}/x/publish', 'POST /api/exchanges/{m}/amq.default/publish', 'POST /api/queues/{m}/q/get']),
  ...answers('400 {"error":"bad_request","reason":"vhost_or_user_not_found"}', ['PUT /api/permissions/{m}/guest', 'PUT /api/topic-permissions/{m}/guest']),
};

await recordedTest('a missing vhost in the path', 'hmg-missing', RECORDED, scenario);
