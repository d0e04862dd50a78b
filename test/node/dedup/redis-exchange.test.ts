/**
 * `x-message-deduplication` on nodes with `redis-url`, over real TCP (amqplib, @cloudamqp/amqp-client)
 * with a real redis-server: the cache is shared by nodes (each drops the other's duplicates, even when
 * both publish the same values at once) and outlives a node restart; x-cache-size, x-cache-ttl and the
 * per-message TTL hold in Redis; confirms and mandatory returns as with the local cache; channel order
 * with deduplicated and plain publishes interleaved, in transactions, through exchange-to-exchange
 * bindings and alternate exchanges; the management API's publish; deleting the exchange removes its keys.
 */
import t from 'tap';
import type { ConfirmChannel } from 'amqplib';
import type { TestNode } from '../../helpers/node.js';
import type { TestRedis } from '../../helpers/redis.js';
import { cloudamqpConnect } from '../broker/helpers.js';
import {
  boundQueues,
  confirmChannel,
  connect,
  DEDUP,
  dedupHeaders,
  drain,
  publishAcked,
  publishEach,
  restartableNode,
  sleep,
  until,
  within,
} from './helpers.js';
import { exchangeKeys, inspector, redisFor, redisNode, redisSkip } from './redis-helpers.js';

interface Setup {
  readonly redis: TestRedis;
  readonly a: TestNode;
  readonly b: TestNode;
}

/** One redis-server and two nodes using it, for every test of the file. */
let shared: Promise<Setup> | null = null;
const setup = (): Promise<Setup> =>
  (shared ??= (async () => {
    const redis = await redisFor(t);
    return { redis, a: await redisNode(t, redis), b: await redisNode(t, redis) };
  })());

const skip = { skip: redisSkip };
const SIZE = { 'x-cache-size': 1000 };

/** Publishes every item without waiting, then waits for all confirms (failing on a nack). */
async function publishAll(ch: ConfirmChannel, items: readonly (readonly [exchange: string, key: string, body: string, value: unknown])[]): Promise<void> {
  for (const [exchange, key, body, value] of items) ch.publish(exchange, key, Buffer.from(body), { headers: dedupHeaders(value) });
  await within(ch.waitForConfirms(), `the confirms of ${items.length} publishes`);
}

t.test('two nodes sharing one Redis drop each other\'s duplicates', skip, async (t) => {
  const { a, b } = await setup();
  const chA = await confirmChannel(await connect(t, a.url));
  const chB = await confirmChannel(await connect(t, b.url));
  for (const ch of [chA, chB]) await ch.assertExchange('rx-shared', DEDUP, { durable: false, arguments: SIZE });
  await boundQueues(chA, 'rx-shared', ['rx-shared-a']);
  await boundQueues(chB, 'rx-shared', ['rx-shared-b']);
  await publishEach(chA, 'rx-shared', '', [['a-on-a', 'a'], ['b-on-a', 'b']]);
  await publishEach(chB, 'rx-shared', '', [['a-on-b', 'a'], ['c-on-b', 'c'], ['b-on-b', 'b'], ['n-on-b', undefined]]);
  t.same(await drain(chA, 'rx-shared-a'), ['a-on-a', 'b-on-a']);
  t.same(await drain(chB, 'rx-shared-b'), ['c-on-b', 'n-on-b'], 'what node a saw is a duplicate on node b');

  const values = Array.from({ length: 300 }, (_, i) => `r${i}`);
  await Promise.all([
    publishAll(chA, values.map((v) => ['rx-shared', '', `${v}@a`, v] as const)),
    publishAll(chB, values.map((v) => ['rx-shared', '', `${v}@b`, v] as const)),
  ]);
  const routed = [...(await drain(chA, 'rx-shared-a')), ...(await drain(chB, 'rx-shared-b'))].map((body) => body.split('@')[0]!);
  t.equal(routed.length, values.length, 'the same values published to both nodes at once: one copy of each in all');
  t.same(new Set(routed), new Set(values), 'and every value once');
});

t.test('the cache outlives a node restart', skip, async (t) => {
  const { redis } = await setup();
  const n = await restartableNode(t, { redisUrl: redis.url });
  const first = await connect(t, n.current().url);
  const ch = await confirmChannel(first);
  await ch.assertExchange('rx-restart', DEDUP, { durable: true, arguments: SIZE });
  await publishEach(ch, 'rx-restart', '', [['a', 'a']]);
  await within(first.close(), 'connection close');
  const ch2 = await confirmChannel(await connect(t, (await n.restart()).url));
  await boundQueues(ch2, 'rx-restart', ['rx-restart-q']);
  await publishEach(ch2, 'rx-restart', '', [['a-again', 'a'], ['b', 'b'], ['b-again', 'b']]);
  t.same(await drain(ch2, 'rx-restart-q'), ['b'], 'the value seen before the restart is still a duplicate');
});

t.test('x-cache-size: the oldest value makes room, and Redis holds no more than the size', skip, async (t) => {
  const { a, redis } = await setup();
  const client = inspector(t, redis);
  const ch = await confirmChannel(await connect(t, a.url));
  await ch.assertExchange('rx-size', DEDUP, { durable: false, arguments: { 'x-cache-size': 2 } });
  await boundQueues(ch, 'rx-size', ['rx-size-q']);
  await publishEach(ch, 'rx-size', '', [['a1', 'a'], ['b1', 'b'], ['c1', 'c'], ['a2', 'a']]);
  t.same(await drain(ch, 'rx-size-q'), ['a1', 'b1', 'c1', 'a2'], 'c evicted a, so a passes again');
  await publishEach(ch, 'rx-size', '', [['c2', 'c'], ['a3', 'a'], ['b2', 'b']]);
  t.same(await drain(ch, 'rx-size-q'), ['b2'], 'the cache held c and a; b was evicted by the second a');
  const keys = await exchangeKeys(client, 'rx-size');
  t.equal(keys.filter((k) => k.includes('}:seen:')).length, 2, `two values in Redis: ${keys.join(' ')}`);
  t.equal(await client.zcard('warren:dedup:{%2F:rx-size}:order'), 2);
});

t.test('x-cache-ttl and the per-message x-cache-ttl header expire values in Redis', skip, async (t) => {
  const { a, redis } = await setup();
  const client = inspector(t, redis);
  const ch = await confirmChannel(await connect(t, a.url));
  await ch.assertExchange('rx-ttl', DEDUP, { durable: false, arguments: { 'x-cache-size': 10, 'x-cache-ttl': 1000 } });
  await ch.assertExchange('rx-msg-ttl', DEDUP, { durable: false, arguments: { 'x-cache-size': 10 } });
  await boundQueues(ch, 'rx-ttl', ['rx-ttl-q']);
  await boundQueues(ch, 'rx-msg-ttl', ['rx-msg-ttl-q']);
  await publishEach(ch, 'rx-ttl', '', [['a1', 'a'], ['a2', 'a']]);
  const pttl = await client.pttl('warren:dedup:{%2F:rx-ttl}:seen:b:YQ==');
  t.ok(pttl > 0 && pttl <= 1000, `the value's key expires with the exchange TTL (PTTL ${pttl})`);
  await publishEach(ch, 'rx-ttl', '', [['l1', 'long'], ['l2', 'long']], { headers: { 'x-cache-ttl': 60_000 } });
  await publishEach(ch, 'rx-msg-ttl', '', [['s1', 'short'], ['s2', 'short']], { headers: { 'x-cache-ttl': 1000 } });
  await publishEach(ch, 'rx-msg-ttl', '', [['f1', 'forever'], ['f2', 'forever']]);
  t.equal(await client.pttl('warren:dedup:{%2F:rx-msg-ttl}:seen:b:Zm9yZXZlcg=='), -1, 'no TTL at all: no expiry');
  t.same(await drain(ch, 'rx-ttl-q'), ['a1', 'l1']);
  t.same(await drain(ch, 'rx-msg-ttl-q'), ['s1', 'f1']);
  await sleep(1300);
  await publishEach(ch, 'rx-ttl', '', [['a3', 'a'], ['a4', 'a'], ['l3', 'long']]);
  await publishEach(ch, 'rx-msg-ttl', '', [['s3', 'short'], ['f3', 'forever']]);
  t.same(await drain(ch, 'rx-ttl-q'), ['a3'], 'after the TTL the value passes once more; a 60 s header TTL outlives the exchange TTL');
  t.same(await drain(ch, 'rx-msg-ttl-q'), ['s3'], 'a 1 s header TTL expires; no TTL never does');
});

t.test('confirms: a dropped duplicate is acked; published mandatory it is returned 312 NO_ROUTE first', skip, async (t) => {
  const { a } = await setup();
  const ch = await confirmChannel(await connect(t, a.url));
  await ch.assertExchange('rx-confirm', DEDUP, { durable: false, arguments: SIZE });
  await boundQueues(ch, 'rx-confirm', ['rx-confirm-q']);
  const events: string[] = [];
  ch.on('return', (m: { content: Buffer; fields: { replyCode: number } }) => events.push(`return ${m.content.toString()} ${m.fields.replyCode}`));
  for (const [body, mandatory] of [['first', true], ['dup-plain', false], ['dup-mandatory', true]] as const) {
    const acked = await publishAcked(ch, 'rx-confirm', 'rk', body, { mandatory, headers: dedupHeaders('v') });
    events.push(`${acked ? 'ack' : 'nack'} ${body}`);
  }
  t.same(events, ['ack first', 'ack dup-plain', 'return dup-mandatory 312', 'ack dup-mandatory']);
  t.same(await drain(ch, 'rx-confirm-q'), ['first']);
});

t.test('one channel keeps its order: deduplicated and plain publishes interleaved, confirmed in order', skip, async (t) => {
  const { a } = await setup();
  const ch = await confirmChannel(await connect(t, a.url));
  await ch.assertExchange('rx-order', DEDUP, { durable: false, arguments: SIZE });
  await boundQueues(ch, 'rx-order', ['rx-order-q']);
  const items: [string, string, string, unknown][] = [];
  const expected: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < 400; i++) {
    if (i % 3 === 0) {
      items.push(['', 'rx-order-q', `plain-${i}`, undefined]);
      expected.push(`plain-${i}`);
    } else {
      const value = `v${i % 50}`;
      items.push(['rx-order', '', `dedup-${i}`, value]);
      if (!seen.has(value)) expected.push(`dedup-${i}`);
      seen.add(value);
    }
  }
  const confirmed: number[] = [];
  items.forEach(([exchange, key, body, value], i) => {
    ch.publish(exchange, key, Buffer.from(body), { headers: dedupHeaders(value) }, (err: unknown) => confirmed.push(err ? -1 : i));
  });
  await within(ch.waitForConfirms(), 'all confirms');
  t.same(confirmed, items.map((_, i) => i), 'every publish acked, in publish order');
  t.same(await drain(ch, 'rx-order-q'), expected, 'the queue holds the publishes in channel order, duplicates left out');
});

t.test('a transaction with deduplicated publishes commits them in order; a rolled-back value was never recorded', skip, async (t) => {
  const { a } = await setup();
  const conn = await cloudamqpConnect(t, a.url);
  const ch = await conn.channel();
  await ch.exchangeDeclare('rx-tx', DEDUP, { durable: false }, SIZE);
  await ch.queueDeclare('rx-tx-q', { durable: false });
  await ch.queueBind('rx-tx-q', 'rx-tx', '');
  await ch.txSelect();
  const dedup = (body: string, value: string): Promise<unknown> => ch.basicPublish('rx-tx', '', body, { headers: { 'x-deduplication-header': value } });
  await dedup('p1', 'a');
  await ch.basicPublish('', 'rx-tx-q', 'p2');
  await dedup('p3', 'a');
  await dedup('p4', 'b');
  await within(ch.txCommit(), 'tx.commit-ok');
  await dedup('r1', 'c');
  await ch.txRollback();
  await dedup('p5', 'c');
  await within(ch.txCommit(), 'tx.commit-ok');
  const bodies: string[] = [];
  for (let m = await ch.basicGet('rx-tx-q', { noAck: true }); m; m = await ch.basicGet('rx-tx-q', { noAck: true })) bodies.push(m.bodyToString() ?? '');
  t.same(bodies, ['p1', 'p2', 'p4', 'p5'], 'in order, the duplicate dropped, c passing after its rollback');
});

t.test('exchange-to-exchange and alternate routes are deduplicated, in channel order', skip, async (t) => {
  const { a, redis } = await setup();
  const ch = await confirmChannel(await connect(t, a.url));
  await ch.assertExchange('rx-x1', DEDUP, { durable: false, arguments: SIZE });
  await ch.assertExchange('rx-x2', DEDUP, { durable: false, arguments: SIZE });
  await ch.bindExchange('rx-x2', 'rx-x1', '');
  await boundQueues(ch, 'rx-x2', ['rx-chain-q']);
  // P2 reaches rx-x2 directly while P1, published first, gets there only through rx-x1, after Redis has
  // answered for rx-x1: P1 must still win. Redis is paused meanwhile so that all five wait together.
  process.kill(redis.pid()!, 'SIGSTOP');
  const published = publishAll(ch, [
    ['rx-x1', '', 'P1', 'v'],
    ['rx-x2', '', 'P2', 'v'],
    ['rx-x1', '', 'P3', 'v'],
    ['rx-x2', '', 'P4', 'w'],
    ['rx-x1', '', 'P5', 'w'],
  ]);
  await sleep(300);
  process.kill(redis.pid()!, 'SIGCONT');
  await published;
  t.same(await drain(ch, 'rx-chain-q'), ['P1', 'P4'], 'each value once, the first publish of it winning');

  await ch.assertExchange('rx-ae', DEDUP, { durable: false, arguments: SIZE });
  await ch.assertExchange('rx-front', 'direct', { durable: false, alternateExchange: 'rx-ae' });
  await boundQueues(ch, 'rx-ae', ['rx-ae-q']);
  await ch.assertQueue('rx-front-q', { durable: false });
  await ch.bindQueue('rx-front-q', 'rx-front', 'known');
  await publishAll(ch, [
    ['rx-front', 'known', 'routed-k', 'k'],
    ['rx-front', 'other', 'ae-1', 'a'],
    ['rx-front', 'other', 'ae-2', 'a'],
    ['rx-front', 'other', 'ae-k', 'k'],
  ]);
  t.same(await drain(ch, 'rx-front-q'), ['routed-k']);
  t.same(await drain(ch, 'rx-ae-q'), ['ae-1', 'ae-k'], 'the alternate exchange saw a value only when it was used');
});

t.test('dead letters routed to a Redis-backed exchange are deduplicated too', skip, async (t) => {
  const { a } = await setup();
  const ch = await confirmChannel(await connect(t, a.url));
  await ch.assertExchange('rx-dlx', DEDUP, { durable: false, arguments: SIZE });
  await boundQueues(ch, 'rx-dlx', ['rx-dlx-q']);
  await ch.assertQueue('rx-dl-src', { durable: false, arguments: { 'x-dead-letter-exchange': 'rx-dlx', 'x-message-ttl': 0 } });
  await publishEach(ch, '', 'rx-dl-src', [['d1', 'a'], ['d2', 'a'], ['d3', 'b']]);
  const dead: string[] = [];
  t.ok(await until(async () => (dead.push(...(await drain(ch, 'rx-dlx-q'))), dead.length >= 2)), 'expired messages dead-lettered');
  await sleep(100);
  t.same([...dead, ...(await drain(ch, 'rx-dlx-q'))], ['d1', 'd3']);
});

/** A management API call on `node` as guest; the JSON answer, or null for an empty one. */
async function api(node: TestNode, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${node.node.mgmt.port}/api/${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} /api/${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text === '' ? null : JSON.parse(text);
}

t.test('the management API publishes through a Redis-backed exchange', skip, async (t) => {
  const { a } = await setup();
  const ch = await confirmChannel(await connect(t, a.url));
  await ch.assertExchange('rx-mgmt', DEDUP, { durable: false, arguments: SIZE });
  await boundQueues(ch, 'rx-mgmt', ['rx-mgmt-q']);
  const publish = (payload: string): Promise<unknown> =>
    api(a, 'POST', 'exchanges/%2F/rx-mgmt/publish', { routing_key: '', payload, payload_encoding: 'string', properties: { headers: { 'x-deduplication-header': 'm' } } });
  t.same(await publish('m1'), { routed: true });
  t.same(await publish('m2'), { routed: false }, 'the duplicate is not routed');
  t.same(await drain(ch, 'rx-mgmt-q'), ['m1']);
});

t.test('deleting the exchange removes its keys from Redis; redeclared, it starts empty', skip, async (t) => {
  const { a, b, redis } = await setup();
  const client = inspector(t, redis);
  const ch = await confirmChannel(await connect(t, a.url));
  await ch.assertExchange('rx-del', DEDUP, { durable: false, arguments: SIZE });
  await ch.assertExchange('rx-del-other', DEDUP, { durable: false, arguments: SIZE });
  await publishEach(ch, 'rx-del', '', [['a', 'a'], ['b', 'b']]);
  await publishEach(ch, 'rx-del-other', '', [['a', 'a']]);
  t.equal((await exchangeKeys(client, 'rx-del')).length, 4, 'two values, the order set and the counter');
  await ch.deleteExchange('rx-del');
  t.ok(await until(async () => (await exchangeKeys(client, 'rx-del')).length === 0), 'the keys are gone');
  t.equal((await exchangeKeys(client, 'rx-del-other')).length, 3, 'another exchange keeps its own');
  const chB = await confirmChannel(await connect(t, b.url));
  await chB.assertExchange('rx-del', DEDUP, { durable: false, arguments: SIZE });
  await boundQueues(chB, 'rx-del', ['rx-del-q']);
  await publishEach(chB, 'rx-del', '', [['a-again', 'a'], ['a-dup', 'a']]);
  t.same(await drain(chB, 'rx-del-q'), ['a-again'], 'the exchange declared again, on another node, forgot the old value');
});

t.test('deleting a vhost removes the keys of its deduplication exchanges', skip, async (t) => {
  const { a, redis } = await setup();
  const client = inspector(t, redis);
  await api(a, 'PUT', 'vhosts/rx-vhost');
  await api(a, 'PUT', 'permissions/rx-vhost/guest', { configure: '.*', write: '.*', read: '.*' });
  const ch = await confirmChannel(await connect(t, `${a.url}/rx-vhost`));
  await ch.assertExchange('rx-in-vhost', DEDUP, { durable: true, arguments: SIZE });
  await publishEach(ch, 'rx-in-vhost', '', [['a', 'a']]);
  const keys = (): Promise<string[]> => client.keys('warren:dedup:{rx-vhost:rx-in-vhost}:*');
  t.equal((await keys()).length, 3);
  await api(a, 'DELETE', 'vhosts/rx-vhost');
  t.ok(await until(async () => (await keys()).length === 0), 'gone with the vhost');
});
