/**
 * Publish and get bodies without the keys RabbitMQ requires: 400 naming every missing key as RabbitMQ
 * prints the list (on one line when it fits), checked before the user's access to the vhost; nothing is
 * filled in. Checked against what RabbitMQ 3.10.8 answered, and against a live RabbitMQ when one is
 * reachable.
 */
import type { Test } from 'tap';
import { enc } from './fixtures/api.js';
import { recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

const PUBLISH = { routing_key: 'q', properties: { content_type: 'text/plain' }, payload: 'm', payload_encoding: 'string' };
const GET = { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' };
/** A body without these keys. */
const without = (body: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(Object.entries(body).filter(([k]) => !keys.includes(k)));

/** Each call as `${status} ${body}`. */
async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  const admin = enc(`admin-${side.vhost}`);
  await api.ok('PUT', `/api/users/${admin}`, { password: 'pw', tags: 'administrator' });
  t.teardown(async () => void (await api.del(`/api/users/${admin}`)));
  await api.ok('PUT', `/api/queues/${v}/q`, { durable: false });
  const call = async (path: string, body: unknown, as?: string) => {
    const r = await api.call('POST', path.replaceAll('{v}', v), body, as === undefined ? {} : { as });
    return `${r.status} ${r.text}`;
  };
  const publish = (body: unknown, as?: string) => call('/api/exchanges/{v}/amq.default/publish', body, as);
  const get = (body: unknown, as?: string) => call('/api/queues/{v}/q/get', body, as);
  return {
    publish: {
      'an empty body': await publish({}),
      'no body': await publish(undefined),
      'routing_key only': await publish({ routing_key: 'q' }),
      'without properties and payload_encoding': await publish(without(PUBLISH, 'properties', 'payload_encoding')),
      'without routing_key, properties and payload': await publish({ payload_encoding: 'string' }),
      'without routing_key, payload and payload_encoding': await publish({ properties: {} }),
      'without properties': await publish(without(PUBLISH, 'properties')),
      'to a missing exchange': await call('/api/exchanges/{v}/missing/publish', {}),
      'every key': await publish(PUBLISH),
      'as an administrator without permissions in the vhost': await publish({}, `admin-${side.vhost}:pw`),
    },
    get: {
      'an empty body': await get({}),
      'count only': await get({ count: 1 }),
      'without encoding': await get(without(GET, 'encoding')),
      'without count': await get(without(GET, 'count')),
      'every key': await get(GET),
      'from a missing queue': await call('/api/queues/{v}/missing/get', {}),
      'as an administrator without permissions in the vhost': await get({}, `admin-${side.vhost}:pw`),
    },
  };
}

const missing = (list: string) => `400 {"error":"bad_request","reason":"${list}"}`;
const allPublishKeys = missing('[{key_missing,routing_key},\\n {key_missing,properties},\\n {key_missing,payload},\\n {key_missing,payload_encoding}]');
const allGetKeys = missing('[{key_missing,ackmode},{key_missing,count},{key_missing,encoding}]');

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  publish: {
    'an empty body': allPublishKeys,
    'no body': allPublishKeys,
    'routing_key only': missing('[{key_missing,properties},\\n {key_missing,payload},\\n {key_missing,payload_encoding}]'),
    'without properties and payload_encoding': missing('[{key_missing,properties},{key_missing,payload_encoding}]'),
    'without routing_key, properties and payload': missing('[{key_missing,routing_key},{key_missing,properties},{key_missing,payload}]'),
    'without routing_key, payload and payload_encoding': missing('[{key_missing,routing_key},\\n {key_missing,payload},\\n {key_missing,payload_encoding}]'),
    'without properties': missing('[{key_missing,properties}]'),
    'to a missing exchange': allPublishKeys,
    'every key': '200 {"routed":true}',
    'as an administrator without permissions in the vhost': allPublishKeys,
  },
  get: {
    'an empty body': allGetKeys,
    'count only': missing('[{key_missing,ackmode},{key_missing,encoding}]'),
    'without encoding': missing('[{key_missing,encoding}]'),
    'without count': missing('[{key_missing,count}]'),
    'every key': '200 [{"payload_bytes":1,"redelivered":false,"exchange":"","routing_key":"q","message_count":0,"properties":{"content_type":"text/plain"},"payload":"m","payload_encoding":"string"}]',
    'from a missing queue': allGetKeys,
    'as an administrator without permissions in the vhost': allGetKeys,
  },
};

await recordedTest('publish and get bodies without the keys RabbitMQ requires', 'warren-keys', RECORDED, scenario);
