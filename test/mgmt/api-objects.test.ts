/**
 * The management API's exchanges, queues and bindings against a real node: PUT with arguments, 400 with
 * a reason for bad JSON and bad values, publish and get (every ackmode), purge, and bindings created
 * (201 + Location), listed and deleted by their properties key.
 */
import t from 'tap';
import { startTestNode } from '../helpers/node.js';
import { Api, CREATED, enc } from './fixtures/api.js';

const node = await startTestNode();
t.teardown(() => node.close());
const base = `http://127.0.0.1:${node.node.mgmt.port}`;
const api = new Api(base);

const publish = (exchange: string, routing_key: string, payload: string, extra: Record<string, unknown> = {}) =>
  api.post(`/api/exchanges/%2F/${exchange === '' ? 'amq.default' : enc(exchange)}/publish`, { routing_key, payload, payload_encoding: 'string', properties: {}, ...extra });
const depth = async (q: string): Promise<number> => (await api.json(`/api/queues/%2F/${enc(q)}`)).messages;

t.test('exchanges: PUT with arguments, GET, list, redeclare, DELETE', async (t) => {
  const put = await api.put('/api/exchanges/%2F/obj.topic', { type: 'topic', durable: true, auto_delete: false, internal: false, arguments: { 'alternate-exchange': 'obj.ae' } });
  t.ok(CREATED.includes(put.status), 'created');
  t.match(await api.json('/api/exchanges/%2F/obj.topic'), { name: 'obj.topic', vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: { 'alternate-exchange': 'obj.ae' } });
  t.ok((await api.json('/api/exchanges/%2F')).some((x: { name: string }) => x.name === 'obj.topic'), 'listed in the vhost');
  t.ok((await api.json('/api/exchanges')).some((x: { name: string }) => x.name === 'obj.topic'), 'listed');
  t.match(await api.json('/api/exchanges/%2F/amq.default'), { name: '', type: 'direct' }, "the default exchange is 'amq.default' in paths");
  t.ok(CREATED.includes((await api.put('/api/exchanges/%2F/obj.topic', { type: 'topic', arguments: { 'alternate-exchange': 'obj.ae' } })).status), 'an equivalent PUT is fine');

  const other = await api.put('/api/exchanges/%2F/obj.topic', { type: 'fanout' });
  t.equal(other.status, 400, 'redeclared with another type');
  t.match(other.json.reason, /inequivalent|type/i, 'the reason names the difference');
  const unknownType = await api.put('/api/exchanges/%2F/obj.bad', { type: 'no-such-type' });
  t.equal(unknownType.status, 400, 'an unknown exchange type');
  t.match(unknownType.json.reason, /type/i);

  await api.ok('PUT', '/api/exchanges/%2F/obj.gone', { type: 'fanout' });
  t.equal((await api.del('/api/exchanges/%2F/obj.gone')).status, 204);
  t.equal((await api.get('/api/exchanges/%2F/obj.gone')).status, 404);
  t.equal((await api.del('/api/exchanges/%2F/obj.gone')).status, 404);
  t.equal((await api.get('/api/exchanges/no-vhost/x')).status, 404, 'a missing vhost');
});

t.test('400 with a reason for malformed JSON and values of the wrong type', async (t) => {
  const cases: [string, string, string | unknown, RegExp][] = [
    ['PUT', '/api/queues/%2F/bad.q', '{"durable": tru', /JSON/],
    ['PUT', '/api/queues/%2F/bad.q', [1, 2], /object/],
    ['PUT', '/api/queues/%2F/bad.q', { durable: 'yes' }, /durable/],
    ['PUT', '/api/queues/%2F/bad.q', { arguments: 'x' }, /arguments/],
    ['PUT', '/api/queues/%2F/bad.q', { arguments: { 'x-max-length': 'ten' } }, /x-max-length/],
    ['PUT', '/api/queues/%2F/bad.q', { arguments: { 'x-queue-type': 'no-such-type' } }, /x-queue-type/],
    ['PUT', '/api/exchanges/%2F/bad.x', { type: 'direct', auto_delete: 1 }, /auto_delete/],
    ['PUT', '/api/vhosts/bad', '{', /JSON/],
    ['POST', '/api/exchanges/%2F/amq.default/publish', { routing_key: 'x', properties: {}, payload: 'x', payload_encoding: 'rot13' }, /payload_encoding/],
    ['POST', '/api/exchanges/%2F/amq.default/publish', { routing_key: 'x', properties: { delivery_mode: 'two' }, payload: 'x', payload_encoding: 'string' }, /delivery_mode/],
  ];
  for (const [method, path, body, reason] of cases) {
    const r = typeof body === 'string' ? await api.call(method, path, undefined, { raw: body }) : await api.call(method, path, body);
    t.equal(r.status, 400, `${method} ${path} ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    t.match(r.json, { error: String, reason }, 'with a reason');
  }
  t.equal((await api.get('/api/queues/%2F/bad.q')).status, 404, 'nothing was declared');
});

t.test('queues: PUT with arguments, GET, redeclare, publish, DELETE', async (t) => {
  const args = { 'x-max-length': 10, 'x-message-ttl': 60000, 'x-dead-letter-exchange': 'obj.dlx' };
  t.ok(CREATED.includes((await api.put('/api/queues/%2F/obj.q', { durable: true, auto_delete: false, arguments: args })).status));
  const q = await api.json('/api/queues/%2F/obj.q');
  t.match(q, { name: 'obj.q', vhost: '/', durable: true, auto_delete: false, exclusive: false, arguments: args, messages: 0, messages_ready: 0, messages_unacknowledged: 0, consumers: 0, state: String, node: String });
  t.ok((await api.json('/api/queues/%2F')).some((x: { name: string }) => x.name === 'obj.q'), 'listed');
  const changed = await api.put('/api/queues/%2F/obj.q', { durable: true, arguments: { 'x-max-length': 11 } });
  t.equal(changed.status, 400, 'redeclared with other arguments');
  t.match(changed.json.reason, /inequivalent|x-max-length/i);

  t.same((await publish('', 'obj.q', 'one')).json, { routed: true }, 'published through the default exchange');
  t.same((await publish('', 'no.such.queue', 'lost')).json, { routed: false }, 'unroutable');
  t.equal(await depth('obj.q'), 1);
  const ifEmpty = await api.del('/api/queues/%2F/obj.q?if-empty=true');
  t.equal(ifEmpty.status, 400, 'if-empty refuses a queue with messages');
  t.equal(await depth('obj.q'), 1, 'still there');
  t.equal((await api.del('/api/queues/%2F/obj.q')).status, 204);
  t.equal((await api.get('/api/queues/%2F/obj.q')).status, 404);
  t.equal((await api.del('/api/queues/%2F/obj.q')).status, 404);
});

t.test('get: every ackmode, encodings, truncate, count', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/get.q', { durable: false });
  for (const p of ['m1', 'm2', 'm3']) await publish('', 'get.q', p, { properties: { content_type: 'text/plain', headers: { h: 1 } } });
  const get = (body: Record<string, unknown>) => api.post('/api/queues/%2F/get.q/get', { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto', ...body });

  const peek = await get({});
  t.equal(peek.status, 200);
  t.match(peek.json, [{ payload: 'm1', payload_encoding: 'string', payload_bytes: 2, redelivered: false, exchange: '', routing_key: 'get.q', message_count: Number, properties: { content_type: 'text/plain', headers: { h: 1 } } }]);
  t.equal(await depth('get.q'), 3, 'ack_requeue_true leaves the message');
  t.match((await get({})).json, [{ payload: 'm1', redelivered: true }], 'and it comes back redelivered');

  t.match((await get({ ackmode: 'ack_requeue_false' })).json, [{ payload: 'm1' }]);
  t.equal(await depth('get.q'), 2, 'ack_requeue_false removes it');
  t.match((await get({ ackmode: 'reject_requeue_true' })).json, [{ payload: 'm2' }]);
  t.equal(await depth('get.q'), 2, 'reject_requeue_true keeps it');
  t.match((await get({ ackmode: 'reject_requeue_false' })).json, [{ payload: 'm2' }]);
  t.equal(await depth('get.q'), 1, 'reject_requeue_false removes it');

  t.match((await get({ encoding: 'base64' })).json, [{ payload: Buffer.from('m3').toString('base64'), payload_encoding: 'base64' }], 'base64 when asked');
  t.match((await get({ truncate: 1 })).json, [{ payload: 'm', payload_bytes: 2 }], 'truncated payload, full size');
  await publish('', 'get.q', Buffer.from([0xff, 0xfe]).toString('base64'), { payload_encoding: 'base64' });
  const all = (await get({ count: 10 })).json;
  t.equal(all.length, 2, 'count is an upper bound');
  t.match(all[1], { payload: '//4=', payload_encoding: 'base64' }, 'a payload that is not UTF-8 comes as base64');

  const bad = await get({ ackmode: 'ack_maybe' });
  t.equal(bad.status, 400);
  t.match(bad.json.reason, /ackmode/);
  t.same((await get({ count: 0 })).json, [], 'count 0 takes nothing, as in RabbitMQ (api-get-messages.test.ts)');
  t.equal((await api.post('/api/queues/%2F/no.q/get', { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' })).status, 404);
});

t.test('DELETE contents purges the ready messages', async (t) => {
  await api.ok('PUT', '/api/queues/%2F/purge.q', { durable: false });
  for (const p of ['a', 'b', 'c']) await publish('', 'purge.q', p);
  t.equal(await depth('purge.q'), 3);
  t.equal((await api.del('/api/queues/%2F/purge.q/contents')).status, 204);
  t.equal(await depth('purge.q'), 0, 'empty');
  t.equal((await api.del('/api/queues/%2F/no.q/contents')).status, 404);
});

t.test('bindings: create (201 + Location), list, route, delete by properties key', async (t) => {
  await api.ok('PUT', '/api/exchanges/%2F/bind.x', { type: 'topic' });
  await api.ok('PUT', '/api/exchanges/%2F/bind.fan', { type: 'fanout' });
  await api.ok('PUT', '/api/queues/%2F/bind.q', { durable: true });
  await api.ok('PUT', '/api/queues/%2F/bind.q2', { durable: true });

  const path = '/api/bindings/%2F/e/bind.x/q/bind.q';
  const made = await api.post(path, { routing_key: 'k.#', arguments: {} });
  t.equal(made.status, 201, '201 Created');
  const location = made.headers.get('location');
  t.ok(location, 'with a Location header');
  const listed = await api.json(path);
  t.match(listed, [{ source: 'bind.x', vhost: '/', destination: 'bind.q', destination_type: 'queue', routing_key: 'k.#', arguments: {}, properties_key: String }]);
  const props: string = listed[0].properties_key;
  t.match(await api.json(`${path}/${enc(props)}`), { routing_key: 'k.#' }, 'one binding by its properties key');
  const resolved = new URL(location ?? '', `${base}${path}`);
  t.equal((await api.get(resolved.pathname)).status, 200, 'the Location header, resolved against the request URL, is the binding');

  t.equal((await api.post('/api/bindings/%2F/e/bind.x/e/bind.fan', { routing_key: 'e2e.*' })).status, 201, 'exchange to exchange');
  t.equal((await api.post('/api/bindings/%2F/e/bind.fan/q/bind.q2', {})).status, 201);
  t.match(await api.json('/api/bindings/%2F/e/bind.x/e/bind.fan'), [{ destination_type: 'exchange', routing_key: 'e2e.*' }]);
  t.same((await publish('bind.x', 'k.1', 'to-q')).json, { routed: true });
  t.same((await publish('bind.x', 'e2e.1', 'to-q2')).json, { routed: true }, 'routed through the exchange binding');
  t.equal(await depth('bind.q'), 1);
  t.equal(await depth('bind.q2'), 1);

  const all = await api.json('/api/bindings/%2F');
  t.ok(all.some((b: { source: string; destination: string }) => b.source === 'bind.x' && b.destination === 'bind.q'), 'in the vhost list');
  t.ok((await api.json('/api/bindings')).length >= all.length, 'in the full list');
  const qb = await api.json('/api/queues/%2F/bind.q/bindings');
  t.match(qb[0], { source: '', destination: 'bind.q', routing_key: 'bind.q' }, "a queue's bindings start with the default exchange's");
  t.ok(qb.some((b: { source: string }) => b.source === 'bind.x'));
  t.equal((await api.json('/api/exchanges/%2F/bind.x/bindings/source')).length, 2, "the exchange's outgoing bindings");
  t.equal((await api.json('/api/exchanges/%2F/bind.fan/bindings/destination')).length, 1, 'and incoming ones');

  const withArgs = await api.post('/api/bindings/%2F/e/bind.x/q/bind.q', { routing_key: 'k.#', arguments: { 'x-tag': 'a' } });
  t.equal(withArgs.status, 201, 'the same key with arguments is another binding');
  const two = await api.json(path);
  t.equal(two.length, 2);
  t.not(two[0].properties_key, two[1].properties_key, 'with different properties keys');

  t.equal((await api.del(`${path}/${enc(props)}`)).status, 204, 'deleted by properties key');
  t.equal((await api.get(`${path}/${enc(props)}`)).status, 404);
  t.equal((await api.del(`${path}/${enc(props)}`)).status, 404, 'deleting again: not found');
  t.equal((await api.json(path)).length, 1, 'the other binding stays');
  t.equal((await api.post('/api/bindings/%2F/e/bind.x/q/no.q', {})).status, 404, 'a missing destination');
  t.equal((await api.post('/api/bindings/%2F/e/no.x/q/bind.q', {})).status, 404, 'a missing source');
});
