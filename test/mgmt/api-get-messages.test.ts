/**
 * POST /api/queues/{vhost}/{name}/get as RabbitMQ answers it: a message without properties shows them as
 * [] (Erlang's empty list), empty headers as {}; count is read as RabbitMQ's parse_int reads it (a
 * truncated number, a string of digits, else 400), 0 takes nothing whatever the queue and ackmode, a
 * negative count every message; the encoding and truncate are checked even then, and a missing vhost
 * is refused as a channel there would be. Checked against what RabbitMQ 3.10.8 answered, and against a
 * live RabbitMQ when one is reachable.
 */
import type { Test } from 'tap';
import { enc } from './fixtures/api.js';
import { recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

const GET = { count: 10, ackmode: 'ack_requeue_true', encoding: 'auto' };

async function scenario(_t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  await api.ok('PUT', `/api/queues/${v}/q`, { durable: false });
  const publish = (properties: unknown, payload: string) => api.ok('POST', `/api/exchanges/${v}/amq.default/publish`, { routing_key: 'q', properties, payload, payload_encoding: 'string' });
  await publish({}, 'none');
  await publish({ headers: {} }, 'empty headers');
  await publish({ headers: { table: {}, list: [], s: 'x' }, content_type: 'text/plain' }, 'some');
  const get = async (body: Record<string, unknown>, path = `/api/queues/${v}/q/get`) => {
    const r = await api.post(path, { ...GET, ...body });
    return r.status === 200 ? (r.json as { payload: string }[]).map((m) => m.payload).join(', ') : `${r.status} ${r.text}`;
  };
  return {
    properties: (await api.post(`/api/queues/${v}/q/get`, GET)).json.map((m: { payload: string; properties: unknown }) => [m.payload, m.properties]),
    count: {
      '0': await get({ count: 0 }),
      '0 of a missing queue': await get({ count: 0 }, `/api/queues/${v}/missing/get`),
      '0 with an unknown ackmode': await get({ count: 0, ackmode: 'ack_maybe' }),
      '0 with an unknown encoding': await get({ count: 0, encoding: 'utf-16' }),
      '0 with a truncate that is no integer': await get({ count: 0, truncate: 'x' }),
      '0 in a missing vhost': await get({ count: 0 }, `/api/queues/${enc(`${side.vhost}-missing`)}/q/get`),
      '"2"': await get({ count: '2' }),
      '1.5': await get({ count: 1.5 }),
      '-1': await get({ count: -1 }),
      '"two"': await get({ count: 'two' }),
      true: await get({ count: true }),
    },
    // each get requeued what it took
    'messages left': await get({ count: -1 }),
  };
}

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  properties: [
    ['none', []],
    ['empty headers', { headers: {} }],
    ['some', { headers: { table: {}, list: [], s: 'x' }, content_type: 'text/plain' }],
  ],
  count: {
    '0': '',
    '0 of a missing queue': '',
    '0 with an unknown ackmode': '',
    '0 with an unknown encoding': '400 {"error":"bad_request","reason":"Unsupported encoding. Please use auto or base64."}',
    '0 with a truncate that is no integer': '400 {"error":"bad_request","reason":["not_integer","x"]}',
    '0 in a missing vhost': '401 {"error":"not_authorised","reason":"Access refused."}',
    '"2"': 'none, empty headers',
    '1.5': 'none',
    '-1': 'none, empty headers, some',
    '"two"': '400 {"error":"bad_request","reason":["not_integer","two"]}',
    true: '400 {"error":"bad_request","reason":["not_integer",true]}',
  },
  'messages left': 'none, empty headers, some',
};

await recordedTest('get: empty properties and counts', 'hmg-get', RECORDED, scenario);
