/**
 * Which bindings are the same binding: RabbitMQ tells bindings apart by their arguments' values and AMQP
 * types (a JSON integer is a long; amqplib sends small integers as bytes), sorts the top-level arguments
 * and keeps nested tables and arrays in order. Bindings made through the API and over AMQP, listed with
 * their properties keys, then unbound over AMQP and through the API: checked against what RabbitMQ 3.10.8
 * did, and against a live RabbitMQ when one is reachable.
 */
import amqplib from 'amqplib';
import type { Test } from 'tap';
import { enc } from './fixtures/api.js';
import { inVhost, recordedTest, type Observations, type Side } from './fixtures/rabbitmq-api.js';

const long = (value: number) => ({ '!': 'long', value });

/** JSON with every object's keys sorted: RabbitMQ lists arguments in key order, Warren in the order they came. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );

async function scenario(t: Test, side: Side): Promise<Observations> {
  const { api } = side;
  const v = enc(side.vhost);
  await api.ok('PUT', `/api/exchanges/${v}/hx`, { type: 'headers', durable: false });
  await api.ok('PUT', `/api/queues/${v}/hq`, { durable: false });
  const path = `/api/bindings/${v}/e/hx/q/hq`;
  const list = async () => ((await api.json(path)) as { arguments: unknown; properties_key: string }[]).map((b) => `${canonical(b.arguments)} ${b.properties_key}`).sort();

  const posted: string[] = [];
  for (const args of [{ 'x-match': 'all', v: 1 }, { 'x-match': 'all', v: 2 }, { 'x-match': 'all', v: 2 }, { 'x-match': 'all', v: '1' }, { 'x-match': 'all', v: 1.5 }, { 'x-match': 'any', v: 1 }]) {
    const r = await api.post(path, { routing_key: '', arguments: args });
    posted.push(`${r.status} ${r.headers.get('location')}`);
  }
  const conn = await amqplib.connect(inVhost(side.amqpUrl, side.vhost));
  t.teardown(() => conn.close().catch(() => undefined));
  const ch = await conn.createChannel();
  const overAmqp = [
    { 'x-match': 'all', v: 1 },
    { 'x-match': 'all', v: long(1) },
    { 'x-match': 'all', v: { '!': 'short', value: 1 } },
    { 'x-match': 'all', v: { '!': 'double', value: 2 } },
    { t: { a: 1, b: 2 } },
    { t: { b: 2, a: 1 } },
    { arr: [1, 's'] },
    { arr: ['s', 1] },
    { a: 1, b: 2 },
    { b: 2, a: 1 },
  ];
  for (const args of overAmqp) await ch.bindQueue('hq', 'hx', '', args);
  const made = await list();

  await ch.unbindQueue('hq', 'hx', '', { 'x-match': 'all', v: long(1) });
  await ch.unbindQueue('hq', 'hx', '', { t: { b: 2, a: 1 } });
  await ch.unbindQueue('hq', 'hx', '', { b: 2, a: 1 });
  const unboundOverAmqp = await list();

  const twoKey = decodeURIComponent(posted[1]!.split('/')[1]!);
  const deleted = (await api.del(`${path}/${enc(twoKey)}`)).status;
  return { posted, made, unboundOverAmqp, 'deleted {x-match: all, v: 2}': deleted, left: await list() };
}

/** The bindings left after the unbinds over AMQP and through the API, as RabbitMQ 3.10.8 listed them. */
const LEFT = [
  '{"arr":["s",1]} ~-Onl8A',
  '{"arr":[1,"s"]} ~1HaSaA',
  '{"t":{"a":1,"b":2}} ~MJpbOA',
  '{"v":"1","x-match":"all"} ~DpiRDA',
  // byte 1 and short 1 over AMQP
  '{"v":1,"x-match":"all"} ~Q2-R8w',
  '{"v":1,"x-match":"all"} ~RY51ww',
  '{"v":1,"x-match":"any"} ~HTfm1Q',
  '{"v":1.5,"x-match":"all"} ~1Sm_KQ',
];

/** RabbitMQ 3.10.8's answers. */
const RECORDED: Observations = {
  // posting the same arguments again makes nothing new, and answers the same
  posted: ['201 hq/~hyFfTg', '201 hq/~PhOChA', '201 hq/~PhOChA', '201 hq/~DpiRDA', '201 hq/~1Sm_KQ', '201 hq/~HTfm1Q'],
  made: [
    ...LEFT,
    // {a: 1, b: 2} and {b: 2, a: 1}: one binding, unbound over AMQP
    '{"a":1,"b":2} ~T3rW2w',
    // {t: {b: 2, a: 1}}: nested tables keep their order; unbound over AMQP
    '{"t":{"a":1,"b":2}} ~sJ2BPQ',
    // long 1: the JSON integer, bound again over AMQP; unbound over AMQP
    '{"v":1,"x-match":"all"} ~hyFfTg',
    // the JSON integer 2, deleted through the API
    '{"v":2,"x-match":"all"} ~PhOChA',
    // double 2 over AMQP
    '{"v":2,"x-match":"all"} ~oDzI8A',
  ].sort(),
  unboundOverAmqp: [...LEFT, '{"v":2,"x-match":"all"} ~PhOChA', '{"v":2,"x-match":"all"} ~oDzI8A'].sort(),
  'deleted {x-match: all, v: 2}': 204,
  left: [...LEFT, '{"v":2,"x-match":"all"} ~oDzI8A'].sort(),
};

await recordedTest('bindings told apart by their typed arguments', 'warren-bid', RECORDED, scenario);
