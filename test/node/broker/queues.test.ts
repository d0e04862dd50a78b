/**
 * Queues over real TCP with amqplib: declaration (server-named, passive, exclusive, reserved names,
 * equivalence, argument validation), the counts in declare-ok, bind/unbind, purge, delete and auto-delete.
 */
import type { Channel } from 'amqplib';
import t from 'tap';
import { channel, Collector, confirmChannel, connect, nodeFor, publishConfirmed, rejection, replyText, routedTo, within } from './helpers.js';

const node = await nodeFor(t);

t.test('an empty name gets a server-generated amq.gen- name', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  const a = await ch.assertQueue('', { exclusive: true });
  const b = await ch.assertQueue('', { exclusive: true });
  t.match(a.queue, /^amq\.gen-[A-Za-z0-9_-]{22}$/);
  t.not(a.queue, b.queue);
  t.same(await routedTo(ch, '', a.queue, [a.queue, b.queue]), [a.queue], 'reachable by its name');
});

t.test('passive declare: counts for an existing queue, 404 for a missing one', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('passive-q', { durable: false });
  await publishConfirmed(ch, '', 'passive-q', 'one');
  t.match(await ch.checkQueue('passive-q'), { queue: 'passive-q', messageCount: 1, consumerCount: 0 });
  const e = await rejection(ch.checkQueue('missing-q'));
  t.equal(e.code, 404);
  t.equal(replyText(e), "NOT_FOUND - no queue 'missing-q' in vhost '/'");
});

t.test('an exclusive queue is locked (405) to other connections and goes with its owner', async (t) => {
  const owner = await connect(t, node.url);
  const other = await connect(t, node.url);
  await (await channel(owner)).assertQueue('excl-q', { exclusive: true });
  const locked =
    "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'excl-q' in vhost '/'. It could be originally declared on " +
    'another connection or the exclusive property value does not match that of the original declaration.';
  const attempts: [string, (ch: Channel) => Promise<unknown>][] = [
    ['declare', (ch) => ch.assertQueue('excl-q', { exclusive: true })],
    ['passive declare', (ch) => ch.checkQueue('excl-q')],
    ['consume', (ch) => ch.consume('excl-q', () => {})],
    ['get', (ch) => ch.get('excl-q')],
    ['delete', (ch) => ch.deleteQueue('excl-q')],
  ];
  for (const [what, attempt] of attempts) {
    const e = await rejection(attempt(await channel(other)));
    t.equal(e.code, 405, what);
    t.equal(replyText(e), locked);
  }
  await (await channel(owner)).checkQueue('excl-q');
  await within(owner.close(), 'owner close');
  const gone = await rejection((await channel(other)).checkQueue('excl-q'));
  t.equal(gone.code, 404, 'deleted when the owning connection closed');
});

t.test(
  'an exclusive queue is never durable, and exclusivity is checked before durable',
  async (t) => {
    const conn = await connect(t, node.url);
    await (await channel(conn)).assertQueue('excl-durable-q', { exclusive: true, durable: true });
    await (await channel(conn)).assertQueue('excl-durable-q', { exclusive: true, durable: false });
    await (await channel(conn)).assertQueue('shared-q', { durable: false });
    const e = await rejection((await channel(conn)).assertQueue('shared-q', { exclusive: true, durable: true }));
    t.equal(e.code, 405, 'a shared queue re-declared as exclusive is RESOURCE_LOCKED');
  },
);

t.test('declaring an amq.* queue is 403', async (t) => {
  const e = await rejection((await channel(await connect(t, node.url))).assertQueue('amq.mine'));
  t.equal(e.code, 403);
  t.equal(replyText(e), "ACCESS_REFUSED - queue name 'amq.mine' contains reserved prefix 'amq.*'");
});

t.test('declare-ok carries the ready message count and the consumer count', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('counts-q', { durable: false });
  for (const body of ['1', '2', '3']) await publishConfirmed(ch, '', 'counts-q', body);
  t.match(await ch.assertQueue('counts-q', { durable: false }), { messageCount: 3, consumerCount: 0 });

  const sub = await channel(conn);
  await sub.prefetch(1);
  const c = await Collector.start(sub, 'counts-q');
  await c.next(1);
  t.match(await ch.assertQueue('counts-q', { durable: false }), { messageCount: 2, consumerCount: 1 }, 'the unacked one is not counted');
  t.match(await ch.checkQueue('counts-q'), { messageCount: 2, consumerCount: 1 });
});

t.test('bind and unbind change routing; binding to missing things is 404', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('bind-q', { durable: false });
  await ch.bindQueue('bind-q', 'amq.direct', 'k1');
  await ch.bindQueue('bind-q', 'amq.direct', 'k2');
  await ch.bindQueue('bind-q', 'amq.direct', 'k1'); // a duplicate binding is a no-op
  t.same(await routedTo(ch, 'amq.direct', 'k1', ['bind-q']), ['bind-q']);
  t.same(await routedTo(ch, 'amq.direct', 'k2', ['bind-q']), ['bind-q']);
  await ch.unbindQueue('bind-q', 'amq.direct', 'k1');
  t.same(await routedTo(ch, 'amq.direct', 'k1', ['bind-q']), [], 'unbound key no longer routes');
  t.same(await routedTo(ch, 'amq.direct', 'k2', ['bind-q']), ['bind-q'], 'the other binding stays');
  await ch.unbindQueue('bind-q', 'amq.direct', 'never-bound'); // unbinding what is not there is ok

  const noX = await rejection((await channel(conn)).bindQueue('bind-q', 'missing-x', 'k'));
  t.equal(noX.code, 404);
  t.equal(replyText(noX), "NOT_FOUND - no exchange 'missing-x' in vhost '/'");
  const noQ = await rejection((await channel(conn)).bindQueue('missing-q', 'amq.direct', 'k'));
  t.equal(noQ.code, 404);
  t.equal(replyText(noQ), "NOT_FOUND - no queue 'missing-q' in vhost '/'");
});

t.test('unbinding from a missing queue or exchange is unbind-ok', async (t) => {
  const ch = await channel(await connect(t, node.url));
  await ch.assertQueue('unbind-q', { durable: false });
  await ch.unbindQueue('missing-q', 'amq.direct', 'k');
  await ch.unbindQueue('unbind-q', 'missing-x', 'k');
  t.pass('both unbind-ok');
});

t.test('purge removes the ready messages and reports how many; unacked ones survive', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('purge-q', { durable: false });
  for (let i = 0; i < 5; i++) await publishConfirmed(ch, '', 'purge-q', `m${i}`);
  const held = await ch.get('purge-q');
  t.ok(held, 'one message taken, unacked');
  t.same(await ch.purgeQueue('purge-q'), { messageCount: 4 });
  t.same(await ch.purgeQueue('purge-q'), { messageCount: 0 });
  if (held) ch.reject(held, true);
  t.match(await ch.checkQueue('purge-q'), { messageCount: 1 }, 'the unacked message came back after the purge');
});

t.test('queue.delete: if-unused and if-empty are 406; delete-ok counts the messages', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await ch.assertQueue('del-q', { durable: false });
  for (const body of ['a', 'b']) await publishConfirmed(ch, '', 'del-q', body);
  const sub = await channel(conn);
  await sub.prefetch(1);
  const c = await Collector.start(sub, 'del-q');
  await c.next(1);

  const unused = await rejection((await channel(conn)).deleteQueue('del-q', { ifUnused: true }));
  t.equal(unused.code, 406);
  t.equal(replyText(unused), "PRECONDITION_FAILED - queue 'del-q' in vhost '/' in use");
  const empty = await rejection((await channel(conn)).deleteQueue('del-q', { ifEmpty: true }));
  t.equal(empty.code, 406);
  t.equal(replyText(empty), "PRECONDITION_FAILED - queue 'del-q' in vhost '/' not empty");

  const ch2 = await channel(conn);
  t.same(await ch2.deleteQueue('del-q'), { messageCount: 1 }, 'ready messages only');
  t.equal((await rejection(ch2.checkQueue('del-q'))).code, 404);
  t.same(await (await channel(conn)).deleteQueue('never-existed-q'), { messageCount: 0 }, 'deleting a missing queue is ok');
});

t.test('an auto-delete queue goes when its last consumer cancels, not before', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  await ch.assertQueue('ad-q', { durable: false, autoDelete: true });
  await ch.checkQueue('ad-q'); // never consumed from: stays
  const a = await Collector.start(ch, 'ad-q');
  const b = await Collector.start(ch, 'ad-q');
  await ch.cancel(a.tag);
  t.match(await ch.checkQueue('ad-q'), { consumerCount: 1 }, 'one consumer left');
  await ch.cancel(b.tag);
  t.equal((await rejection(ch.checkQueue('ad-q'))).code, 404, 'deleted after the last cancel');

  const ch2 = await channel(conn);
  await ch2.assertQueue('ad-q2', { durable: false, autoDelete: true });
  const sub = await channel(conn);
  await Collector.start(sub, 'ad-q2');
  await sub.close();
  t.equal((await rejection(ch2.checkQueue('ad-q2'))).code, 404, 'deleted when the consuming channel closed');
});

t.test('re-declaring with another durable flag is 406 inequivalent arg', async (t) => {
  const conn = await connect(t, node.url);
  await (await channel(conn)).assertQueue('eq-q', { durable: false });
  const e = await rejection((await channel(conn)).assertQueue('eq-q', { durable: true }));
  t.equal(e.code, 406);
  t.equal(replyText(e), "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'eq-q' in vhost '/': received 'true' but current is 'false'");
});

t.test('re-declaring with other arguments is 406; an absent one reads "none"', async (t) => {
  const conn = await connect(t, node.url);
  await (await channel(conn)).assertQueue('ttl-q', { durable: false, messageTtl: 1000 });
  // the same value as a wider integer type is equivalent
  await (await channel(conn)).assertQueue('ttl-q', { durable: false, arguments: { 'x-message-ttl': { '!': 'long', value: 1000 } } });
  const absent = await rejection((await channel(conn)).assertQueue('ttl-q', { durable: false }));
  t.equal(absent.code, 406);
  t.equal(replyText(absent), "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'ttl-q' in vhost '/': received none but current is the value '1000' of type 'short'");
  t.equal((await rejection((await channel(conn)).assertQueue('ttl-q', { durable: false, messageTtl: 2000 }))).code, 406);
});

t.test('two different values of an argument are described by value alone', async (t) => {
  const conn = await connect(t, node.url);
  await (await channel(conn)).assertQueue('ttl-q2', { durable: false, messageTtl: 1000 });
  const e = await rejection((await channel(conn)).assertQueue('ttl-q2', { durable: false, messageTtl: 2000 }));
  t.equal(replyText(e), "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'ttl-q2' in vhost '/': received '2000' but current is '1000'");
});

t.test('x-max-priority: 255 is accepted; 256, negative and non-integer values are 406', async (t) => {
  const conn = await connect(t, node.url);
  await (await channel(conn)).assertQueue('prio-255', { durable: false, maxPriority: 255 });
  const over = await rejection((await channel(conn)).assertQueue('prio-256', { durable: false, maxPriority: 256 }));
  t.equal(over.code, 406);
  t.equal(replyText(over), "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'prio-256' in vhost '/': {max_value_exceeded,256}");
  const negative = await rejection((await channel(conn)).assertQueue('prio-neg', { durable: false, maxPriority: -1 }));
  t.equal(replyText(negative), "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'prio-neg' in vhost '/': {value_negative,-1}");
  for (const bad of ['ten', 1.5]) {
    t.equal((await rejection((await channel(conn)).assertQueue('prio-bad', { durable: false, arguments: { 'x-max-priority': bad } }))).code, 406, `${bad}`);
  }
});

t.test("a non-integer x-max-priority is refused in RabbitMQ 3.10's words", async (t) => {
  const conn = await connect(t, node.url);
  for (const [bad, type] of [['ten', 'longstr'], [1.5, 'double']] as const) {
    const e = await rejection((await channel(conn)).assertQueue('prio-bad', { durable: false, arguments: { 'x-max-priority': bad } }));
    t.equal(replyText(e), `PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'prio-bad' in vhost '/': "expected integer, got ${type}"`);
  }
});
