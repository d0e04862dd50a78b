/**
 * The queue argument `x-message-deduplication: true` over real TCP with amqplib (the message-deduplication
 * plugin's queue mode): a message whose `x-deduplication-header` value is already in the queue (ready or
 * unacked) is dropped, still confirmed and never returned; the value is free again once its message has
 * left (ack, no-ack get, purge, TTL expiry, dead-lettering); the values of a durable queue's persistent
 * messages are known again after a restart; the argument is a boolean compared on redeclaration.
 */
import t from 'tap';
import type { ConsumeMessage } from 'amqplib';
import {
  channel,
  confirmChannel,
  connect,
  DEDUP,
  dedupHeaders,
  depth,
  drain,
  getOne,
  nodeFor,
  publishAcked,
  publishEach,
  rejection,
  replyText,
  restartableNode,
  sleep,
  until,
  within,
} from './helpers.js';

const node = await nodeFor(t);
const dedupQueue = { durable: false, arguments: { [DEDUP]: true } };

t.test('a value already in the queue is not enqueued again; no header and other values are', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('dq-basic', dedupQueue);
  await ch.assertQueue('dq-plain', { durable: false });
  const items: [string, unknown][] = [
    ['a1', 'a'],
    ['a2', 'a'],
    ['n1', undefined],
    ['b1', 'b'],
    ['n2', undefined],
    ['a3', 'a'],
    ['b2', 'b'],
  ];
  await publishEach(ch, '', 'dq-basic', items);
  await publishEach(ch, '', 'dq-plain', items);
  t.same(await drain(ch, 'dq-basic'), ['a1', 'n1', 'b1', 'n2']);
  t.same(await drain(ch, 'dq-plain'), ['a1', 'a2', 'n1', 'b1', 'n2', 'a3', 'b2'], 'a queue without the argument keeps them all');
});

t.test('a duplicate is confirmed and, routed to the queue, not returned even when mandatory', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('dq-confirm', dedupQueue);
  const returned: string[] = [];
  ch.on('return', (m: ConsumeMessage) => returned.push(m.content.toString()));
  t.ok(await publishAcked(ch, '', 'dq-confirm', 'first', { mandatory: true, headers: dedupHeaders('v') }), 'first acked');
  t.ok(await publishAcked(ch, '', 'dq-confirm', 'dup', { mandatory: true, headers: dedupHeaders('v') }), 'duplicate acked');
  t.same(returned, [], 'nothing returned');
  t.equal(await depth(ch, 'dq-confirm'), 1);
});

t.test('unacked (basic.get): still a duplicate; after the ack, or a requeue then a no-ack get, it passes', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('dq-get', dedupQueue);
  await publishEach(ch, '', 'dq-get', [['a1', 'a']]);
  const m = await getOne(ch, 'dq-get');
  await publishEach(ch, '', 'dq-get', [['a2', 'a']]);
  t.equal(await depth(ch, 'dq-get'), 0, 'dropped while the first is unacked');
  ch.nack(m, false, true);
  await publishEach(ch, '', 'dq-get', [['a3', 'a']]);
  t.same(await drain(ch, 'dq-get'), ['a1'], 'a requeued message keeps its value; drained no-ack');
  await publishEach(ch, '', 'dq-get', [['a4', 'a']]);
  const again = await getOne(ch, 'dq-get');
  t.equal(again.content.toString(), 'a4', 'accepted after the no-ack get');
  ch.ack(again);
  await publishEach(ch, '', 'dq-get', [['a5', 'a']]);
  t.same(await drain(ch, 'dq-get'), ['a5'], 'accepted after the ack');
});

t.test('unacked (consumer): still a duplicate until the consumer acks', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('dq-consume', dedupQueue);
  const sub = await channel(conn);
  const got: ConsumeMessage[] = [];
  await sub.consume('dq-consume', (m) => m && got.push(m), { noAck: false });
  await publishEach(ch, '', 'dq-consume', [['a1', 'a'], ['a2', 'a'], ['b1', 'b']]);
  t.ok(await until(() => got.length >= 2), 'two deliveries');
  await sleep(50);
  t.same(got.map((m) => m.content.toString()), ['a1', 'b1'], 'the duplicate of an unacked delivery was dropped');
  sub.ack(got[0]!);
  await publishEach(ch, '', 'dq-consume', [['a3', 'a'], ['b2', 'b']]);
  t.ok(await until(() => got.length >= 3), 'third delivery');
  await sleep(50);
  t.same(got.map((m) => m.content.toString()), ['a1', 'b1', 'a3'], 'a passes once acked; b is still unacked');
});

t.test('purge frees the values', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('dq-purge', dedupQueue);
  await publishEach(ch, '', 'dq-purge', [['a1', 'a'], ['b1', 'b']]);
  t.equal((await ch.purgeQueue('dq-purge')).messageCount, 2);
  await publishEach(ch, '', 'dq-purge', [['a2', 'a'], ['b2', 'b'], ['b3', 'b']]);
  t.same(await drain(ch, 'dq-purge'), ['a2', 'b2']);
});

t.test('x-message-ttl expiry frees the value', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('dq-ttl', { durable: false, arguments: { [DEDUP]: true, 'x-message-ttl': 200 } });
  await publishEach(ch, '', 'dq-ttl', [['a1', 'a'], ['a2', 'a']]);
  t.equal(await depth(ch, 'dq-ttl'), 1, 'duplicate dropped before expiry');
  t.ok(await until(async () => (await depth(ch, 'dq-ttl')) === 0), 'the message expired');
  await publishEach(ch, '', 'dq-ttl', [['a3', 'a']]);
  t.same(await drain(ch, 'dq-ttl'), ['a3']);
});

t.test('dead-lettering (reject without requeue) frees the value; the dead-letter queue gets the message', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('dq-dead', { durable: false });
  await ch.assertQueue('dq-dlx', { durable: false, arguments: { [DEDUP]: true, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dq-dead' } });
  await publishEach(ch, '', 'dq-dlx', [['a1', 'a']]);
  ch.reject(await getOne(ch, 'dq-dlx'), false);
  t.ok(await until(async () => (await depth(ch, 'dq-dead')) === 1), 'dead-lettered');
  await publishEach(ch, '', 'dq-dlx', [['a2', 'a'], ['a3', 'a']]);
  t.same(await drain(ch, 'dq-dlx'), ['a2']);
  t.same(await drain(ch, 'dq-dead'), ['a1']);
});

t.test('a durable queue restarts with the values of its persistent messages still known', async (t) => {
  const n = await restartableNode(t);
  const durable = { durable: true, arguments: { [DEDUP]: true } };
  {
    const conn = await connect(t, n.current().url);
    const ch = await confirmChannel(conn);
    await ch.assertQueue('dq-durable', durable);
    await publishEach(ch, '', 'dq-durable', [['p1', 'p']], { persistent: true });
    await publishEach(ch, '', 'dq-durable', [['t1', 't']], { persistent: false });
    t.equal(await depth(ch, 'dq-durable'), 2);
    await within(conn.close(), 'connection close');
  }
  const ch = await confirmChannel(await connect(t, (await n.restart()).url));
  await ch.assertQueue('dq-durable', durable);
  t.equal(await depth(ch, 'dq-durable'), 1, 'the persistent message was recovered');
  await publishEach(ch, '', 'dq-durable', [['p2', 'p'], ['t2', 't'], ['t3', 't']], { persistent: true });
  t.equal(await depth(ch, 'dq-durable'), 2, 'p is still a duplicate; t (lost with its transient message) passes once');
  const first = await getOne(ch, 'dq-durable');
  t.equal(first.content.toString(), 'p1');
  ch.ack(first);
  await publishEach(ch, '', 'dq-durable', [['p3', 'p']], { persistent: true });
  t.same(await drain(ch, 'dq-durable'), ['t2', 'p3'], 'once the recovered message is acked its value passes');
});

t.test('the argument must be a boolean: anything else is 406 naming it', async (t) => {
  const conn = await connect(t, node.url);
  for (const [what, value] of [['text', 'true'], ['number', 1]] as const) {
    const e = await rejection((await channel(conn)).assertQueue('dq-bad', { durable: false, arguments: { [DEDUP]: value } }), what);
    t.equal(e.code, 406, `${what}: 406`);
    t.match(replyText(e), /^PRECONDITION_FAILED - invalid arg 'x-message-deduplication' for queue 'dq-bad' in vhost '\/'/, `${what}: names the argument`);
  }
  const missing = await rejection((await channel(conn)).checkQueue('dq-bad'), 'passive declare of dq-bad');
  t.equal(missing.code, 404, 'no queue was created');
  const ch = await channel(conn);
  await ch.assertQueue('dq-false', { durable: false, arguments: { [DEDUP]: false } });
  await ch.sendToQueue('dq-false', Buffer.from('x1'), { headers: dedupHeaders('x') });
  await ch.sendToQueue('dq-false', Buffer.from('x2'), { headers: dedupHeaders('x') });
  t.ok(await until(async () => (await depth(ch, 'dq-false')) === 2), 'false: no deduplication');
});

t.test('redeclaring with a different x-message-deduplication is 406 inequivalent arg', async (t) => {
  const conn = await connect(t, node.url);
  await (await channel(conn)).assertQueue('dq-redeclare', dedupQueue);
  await (await channel(conn)).assertQueue('dq-redeclare', dedupQueue);
  t.pass('the same arguments redeclare fine');
  for (const [what, args] of [['false', { [DEDUP]: false }], ['absent', {}]] as const) {
    const e = await rejection((await channel(conn)).assertQueue('dq-redeclare', { durable: false, arguments: args }), what);
    t.equal(e.code, 406, `${what}: 406`);
    t.match(replyText(e), /^PRECONDITION_FAILED - inequivalent arg 'x-message-deduplication' for queue 'dq-redeclare' in vhost '\/'/, `${what}: names the argument`);
  }
  await (await channel(conn)).assertQueue('dq-redeclare-off', { durable: false });
  const e = await rejection((await channel(conn)).assertQueue('dq-redeclare-off', dedupQueue), 'turning it on');
  t.equal(e.code, 406, 'nor can it be turned on later');
});

t.test('a 64-bit header value beyond 2^53 is deduplicated like any other', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('dq-long', dedupQueue);
  const big = { '!': 'long', value: 2n ** 60n + 1n };
  const closed = new Promise<string>((resolve) => conn.on('error', (e: Error) => resolve(e.message)));
  const sent = ['l1', 'l2'].map((body) => publishAcked(ch, '', 'dq-long', body, { headers: dedupHeaders(big) }).catch(() => false));
  const outcome = await Promise.race([Promise.all(sent).then(() => 'acked'), closed, sleep(3000).then(() => 'no answer')]);
  t.equal(outcome, 'acked', 'both publishes confirmed, the connection stays up');
  if (outcome === 'acked') t.same(await drain(ch, 'dq-long'), ['l1'], 'enqueued once');
});
