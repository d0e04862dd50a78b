/**
 * The `x-message-deduplication` exchange type over real TCP with amqplib (compatible with RabbitMQ's
 * message-deduplication plugin): a fanout that routes a value of `x-deduplication-header` once per cache
 * lifetime, `x-cache-ttl` (argument and per-message header), `x-cache-size` eviction, argument validation
 * (406 naming the argument), confirms and mandatory returns for dropped duplicates, and the cache file of
 * `x-cache-persistence: disk` across restarts and after deletion.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Message } from 'amqplib';
import {
  boundQueues,
  channel,
  confirmChannel,
  connect,
  DEDUP,
  dedupHeaders,
  drain,
  nodeFor,
  publishAcked,
  publishEach,
  rejection,
  replyText,
  restartableNode,
  sleep,
  within,
} from './helpers.js';

const node = await nodeFor(t);

const cacheFile = (dir: string, exchange: string): string => join(dir, 'exchanges', encodeURIComponent('/'), `${encodeURIComponent(exchange)}.log`);

t.test('a value is routed once to every bound queue; no header is never deduplicated; other values pass', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('dx-basic', DEDUP, { durable: false, arguments: { 'x-cache-size': 100 } });
  await boundQueues(ch, 'dx-basic', ['dx-basic-1', 'dx-basic-2']);
  await publishEach(ch, 'dx-basic', 'any', [
    ['a1', 'a'],
    ['a2', 'a'],
    ['n1', undefined],
    ['a3', 'a'],
    ['b1', 'b'],
    ['n2', undefined],
    ['b2', 'b'],
    ['c1', 'c'],
  ]);
  const expected = ['a1', 'n1', 'b1', 'n2', 'c1'];
  t.same(await drain(ch, 'dx-basic-1'), expected);
  t.same(await drain(ch, 'dx-basic-2'), expected, 'the same single copy in the second queue');
  await publishEach(ch, 'dx-basic', 'other-key', [['a4', 'a'], ['n3', undefined]]);
  t.same(await drain(ch, 'dx-basic-1'), ['n3'], 'still a duplicate on a later publish, whatever the routing key');
});

t.test('x-cache-ttl: a value passes again once its entry expired', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('dx-ttl', DEDUP, { durable: false, arguments: { 'x-cache-size': 10, 'x-cache-ttl': 200 } });
  await boundQueues(ch, 'dx-ttl', ['dx-ttl-q']);
  await publishEach(ch, 'dx-ttl', '', [['a1', 'a'], ['a2', 'a']]);
  t.same(await drain(ch, 'dx-ttl-q'), ['a1'], 'a duplicate within the TTL is dropped');
  await sleep(350);
  await publishEach(ch, 'dx-ttl', '', [['a3', 'a'], ['a4', 'a']]);
  t.same(await drain(ch, 'dx-ttl-q'), ['a3'], 'after the TTL the value passes, and is remembered again');
});

t.test('the per-message x-cache-ttl header overrides the exchange TTL both ways', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('dx-msg-ttl', DEDUP, { durable: false, arguments: { 'x-cache-size': 10 } });
  await ch.assertExchange('dx-msg-ttl-short', DEDUP, { durable: false, arguments: { 'x-cache-size': 10, 'x-cache-ttl': 200 } });
  await boundQueues(ch, 'dx-msg-ttl', ['dx-msg-ttl-q']);
  await boundQueues(ch, 'dx-msg-ttl-short', ['dx-msg-ttl-short-q']);
  const short = { headers: { 'x-cache-ttl': 200 } };
  const long = { headers: { 'x-cache-ttl': 60_000 } };
  await publishEach(ch, 'dx-msg-ttl', '', [['a1', 'a'], ['a2', 'a']], short);
  await publishEach(ch, 'dx-msg-ttl', '', [['f1', 'forever'], ['f2', 'forever']]);
  await publishEach(ch, 'dx-msg-ttl-short', '', [['l1', 'long'], ['l2', 'long']], long);
  t.same(await drain(ch, 'dx-msg-ttl-q'), ['a1', 'f1']);
  t.same(await drain(ch, 'dx-msg-ttl-short-q'), ['l1']);
  await sleep(350);
  await publishEach(ch, 'dx-msg-ttl', '', [['a3', 'a'], ['f3', 'forever']]);
  await publishEach(ch, 'dx-msg-ttl-short', '', [['l3', 'long']]);
  t.same(await drain(ch, 'dx-msg-ttl-q'), ['a3'], 'a 200 ms header TTL on an exchange without TTL expires; no TTL never does');
  t.same(await drain(ch, 'dx-msg-ttl-short-q'), [], 'a 60 s header TTL outlives the exchange TTL of 200 ms');
});

t.test('x-cache-size: the oldest value makes room for a new one', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('dx-size', DEDUP, { durable: false, arguments: { 'x-cache-size': 2 } });
  await boundQueues(ch, 'dx-size', ['dx-size-q']);
  await publishEach(ch, 'dx-size', '', [['a1', 'a'], ['b1', 'b'], ['c1', 'c'], ['a2', 'a']]);
  t.same(await drain(ch, 'dx-size-q'), ['a1', 'b1', 'c1', 'a2'], 'c evicted a, so a passes again');
  await publishEach(ch, 'dx-size', '', [['c2', 'c'], ['a3', 'a'], ['b2', 'b']]);
  t.same(await drain(ch, 'dx-size-q'), ['b2'], 'the cache now holds c and a; b was evicted by the second a');
});

t.test('missing or invalid arguments close the channel with 406 naming the argument', async (t) => {
  const conn = await connect(t, node.url);
  const cases: [string, Record<string, unknown>, string][] = [
    ['no x-cache-size', {}, 'x-cache-size'],
    ['x-cache-size 0', { 'x-cache-size': 0 }, 'x-cache-size'],
    ['x-cache-size -3', { 'x-cache-size': -3 }, 'x-cache-size'],
    ['x-cache-size 1.5', { 'x-cache-size': 1.5 }, 'x-cache-size'],
    ['x-cache-size as text', { 'x-cache-size': 'lots' }, 'x-cache-size'],
    ['x-cache-ttl 0', { 'x-cache-size': 5, 'x-cache-ttl': 0 }, 'x-cache-ttl'],
    ['x-cache-ttl as text', { 'x-cache-size': 5, 'x-cache-ttl': 'soon' }, 'x-cache-ttl'],
    ['x-cache-persistence cloud', { 'x-cache-size': 5, 'x-cache-persistence': 'cloud' }, 'x-cache-persistence'],
  ];
  for (const [what, args, arg] of cases) {
    const e = await rejection((await channel(conn)).assertExchange('dx-bad', DEDUP, { durable: false, arguments: args }), what);
    t.equal(e.code, 406, `${what}: 406`);
    t.match(replyText(e), new RegExp(`^PRECONDITION_FAILED - invalid arg '${arg}' for exchange 'dx-bad' in vhost '/'`), `${what}: names ${arg}`);
  }
  const missing = await rejection((await channel(conn)).checkExchange('dx-bad'), 'passive declare of dx-bad');
  t.equal(missing.code, 404, 'no exchange was created by the refused declarations');
  const ch = await channel(conn);
  await ch.assertExchange('dx-good', DEDUP, { durable: false, arguments: { 'x-cache-size': 5, 'x-cache-ttl': 100, 'x-cache-persistence': 'memory' } });
  t.pass('valid arguments declare fine');
});

t.test('confirms: a dropped duplicate is acked; published mandatory it is returned 312 NO_ROUTE first', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('dx-confirm', DEDUP, { durable: false, arguments: { 'x-cache-size': 10 } });
  await boundQueues(ch, 'dx-confirm', ['dx-confirm-q']);
  const events: string[] = [];
  const returns: Message[] = [];
  ch.on('return', (m: Message) => {
    returns.push(m);
    events.push(`return ${m.content.toString()}`);
  });
  const publish = async (body: string, mandatory: boolean): Promise<void> => {
    const acked = await publishAcked(ch, 'dx-confirm', 'rk', body, { mandatory, headers: dedupHeaders('v') });
    events.push(`${acked ? 'ack' : 'nack'} ${body}`);
  };
  await publish('first', true);
  await publish('dup-plain', false);
  await publish('dup-mandatory', true);
  t.same(events, ['ack first', 'ack dup-plain', 'return dup-mandatory', 'ack dup-mandatory'], 'every publish acked; only the mandatory duplicate returned, before its ack');
  t.equal(returns.length, 1);
  t.match(returns[0]?.fields, { replyCode: 312, replyText: 'NO_ROUTE', exchange: 'dx-confirm', routingKey: 'rk' });
  t.equal(returns[0]?.properties.headers?.['x-deduplication-header'], 'v', 'the returned message keeps its headers');
  t.same(await drain(ch, 'dx-confirm-q'), ['first']);
});

t.test('x-cache-persistence disk survives a restart on the same data folder; memory does not', async (t) => {
  const n = await restartableNode(t);
  {
    const conn = await connect(t, n.current().url);
    const ch = await confirmChannel(conn);
    await ch.assertExchange('dx-disk', DEDUP, { durable: true, arguments: { 'x-cache-size': 10, 'x-cache-persistence': 'disk' } });
    await ch.assertExchange('dx-mem', DEDUP, { durable: true, arguments: { 'x-cache-size': 10, 'x-cache-persistence': 'memory' } });
    await ch.assertExchange('dx-disk-ttl', DEDUP, { durable: true, arguments: { 'x-cache-size': 10, 'x-cache-ttl': 200, 'x-cache-persistence': 'disk' } });
    for (const x of ['dx-disk', 'dx-mem', 'dx-disk-ttl']) await publishEach(ch, x, '', [['a', 'a']]);
    t.ok(existsSync(cacheFile(n.dir, 'dx-disk')), 'the disk cache has its file in the data folder');
    t.notOk(existsSync(cacheFile(n.dir, 'dx-mem')), 'a memory cache has none');
    await within(conn.close(), 'connection close');
  }
  await sleep(300);
  const node2 = await n.restart();
  const ch = await confirmChannel(await connect(t, node2.url));
  for (const x of ['dx-disk', 'dx-mem', 'dx-disk-ttl']) {
    await boundQueues(ch, x, [`${x}-after`]);
    await publishEach(ch, x, '', [['a-again', 'a'], ['b', 'b'], ['b-again', 'b']]);
  }
  t.same(await drain(ch, 'dx-disk-after'), ['b'], 'disk: the value seen before the restart is still a duplicate');
  t.same(await drain(ch, 'dx-mem-after'), ['a-again', 'b'], 'memory: the cache started empty');
  t.same(await drain(ch, 'dx-disk-ttl-after'), ['a-again', 'b'], 'disk with TTL: an entry that expired while down is gone');
});

t.test('deleting a disk exchange removes its cache file; redeclared, it starts empty', async (t) => {
  const n = await restartableNode(t);
  const ch = await confirmChannel(await connect(t, n.current().url));
  const args = { 'x-cache-size': 10, 'x-cache-persistence': 'disk' };
  await ch.assertExchange('dx-del', DEDUP, { durable: true, arguments: args });
  await publishEach(ch, 'dx-del', '', [['a', 'a']]);
  const file = cacheFile(n.dir, 'dx-del');
  t.ok(existsSync(file), `cache file at ${file}`);
  await ch.deleteExchange('dx-del');
  t.notOk(existsSync(file), 'the file went with the exchange');
  await ch.assertExchange('dx-del', DEDUP, { durable: true, arguments: args });
  await boundQueues(ch, 'dx-del', ['dx-del-q']);
  await publishEach(ch, 'dx-del', '', [['a-again', 'a'], ['a-dup', 'a']]);
  t.same(await drain(ch, 'dx-del-q'), ['a-again'], 'the redeclared exchange forgot the old value');
});

t.test('a disk exchange deleted and redeclared keeps its new values across a restart', async (t) => {
  const n = await restartableNode(t);
  const conn = await connect(t, n.current().url);
  const ch = await confirmChannel(conn);
  const args = { 'x-cache-size': 10, 'x-cache-persistence': 'disk' };
  await ch.assertExchange('dx-redo', DEDUP, { durable: true, arguments: args });
  await publishEach(ch, 'dx-redo', '', [['old', 'old']]);
  await ch.deleteExchange('dx-redo');
  await ch.assertExchange('dx-redo', DEDUP, { durable: true, arguments: args });
  await publishEach(ch, 'dx-redo', '', [['new', 'new']]);
  await within(conn.close(), 'connection close');
  const ch2 = await confirmChannel(await connect(t, (await n.restart()).url));
  await boundQueues(ch2, 'dx-redo', ['dx-redo-q']);
  await publishEach(ch2, 'dx-redo', '', [['new-again', 'new'], ['old-again', 'old']]);
  t.same(await drain(ch2, 'dx-redo-q'), ['old-again'], 'the value published after the redeclare is still known');
});

t.test('a 64-bit header value beyond 2^53 is deduplicated like any other', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertExchange('dx-long', DEDUP, { durable: false, arguments: { 'x-cache-size': 10 } });
  await boundQueues(ch, 'dx-long', ['dx-long-q']);
  const big = { '!': 'long', value: 2n ** 60n + 1n };
  const closed = new Promise<string>((resolve) => conn.on('error', (e: Error) => resolve(e.message)));
  const sent = ['l1', 'l2'].map((body) => publishAcked(ch, 'dx-long', '', body, { headers: dedupHeaders(big) }).catch(() => false));
  const outcome = await Promise.race([Promise.all(sent).then(() => 'acked'), closed, sleep(3000).then(() => 'no answer')]);
  t.equal(outcome, 'acked', 'both publishes confirmed, the connection stays up');
  if (outcome === 'acked') t.same(await drain(ch, 'dx-long-q'), ['l1'], 'routed once');
});

t.test('header values compare by value, whatever AMQP field type carried them (as RabbitMQ does)', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertExchange('dx-types', DEDUP, { durable: false, arguments: { 'x-cache-size': 10 } });
  await boundQueues(ch, 'dx-types', ['dx-types-q']);
  await publishEach(ch, 'dx-types', '', [['byte-5', 5], ['int-5', { '!': 'int', value: 5 }], ['long-5', { '!': 'long', value: 5 }]]);
  t.same(await drain(ch, 'dx-types-q'), ['byte-5'], 'the integer 5 as b, I and l is one value');
  await publishEach(ch, 'dx-types', '', [['text-k', 'k'], ['bytes-k', Buffer.from('k')]]);
  t.same(await drain(ch, 'dx-types-q'), ['text-k'], "longstr 'S' and byte array 'x' of the same bytes are one value");
});

t.test('x-cache-size given as a decimal string is accepted, as the plugin accepts it', async (t) => {
  const conn = await connect(t, node.url);
  const declared = await (await channel(conn)).assertExchange('dx-size-text', DEDUP, { durable: false, arguments: { 'x-cache-size': '2' } }).then(() => 'ok', (e: Error) => e.message);
  t.equal(declared, 'ok', 'declared');
});
