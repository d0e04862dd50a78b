/**
 * The consuming side of the basic class over real TCP with amqplib: qos as RabbitMQ reads `global`,
 * consumer tags, exclusive and prioritised consumers, cancellation from either side, get, acknowledgements
 * with multiple/requeue, redelivery order, recover, and requeue on channel close.
 */
import type { Channel, ConfirmChannel, Message } from 'amqplib';
import t from 'tap';
import { channel, Collector, confirmChannel, connect, drain, nextError, nodeFor, publishConfirmed, rejection, replyText, sleep, until, within } from './helpers.js';

const node = await nodeFor(t);
/** Long enough for a delivery the broker should not make to have arrived if it were made. */
const SETTLE_MS = 150;

async function fill(ch: ConfirmChannel, queue: string, bodies: readonly string[]): Promise<void> {
  await ch.assertQueue(queue, { durable: false });
  for (const b of bodies) await publishConfirmed(ch, '', queue, b);
}

const numbered = (n: number, prefix = 'm'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** basic.get without no-ack, n times; every message must be there. */
async function take(ch: Channel, queue: string, n: number): Promise<Message[]> {
  const out: Message[] = [];
  for (let i = 0; i < n; i++) {
    const m = await within(ch.get(queue), 'basic.get');
    if (m === false) throw new Error(`${queue} ran dry after ${i} messages`);
    out.push(m);
  }
  return out;
}

t.test('qos global=false: a per-consumer limit, for consumers created afterwards', async (t) => {
  const conn = await connect(t, node.url);
  const pub = await confirmChannel(conn);
  await fill(pub, 'qos-q', numbered(3));
  const ch = await channel(conn);
  await ch.prefetch(1);
  const c = await Collector.start(ch, 'qos-q');
  await c.next(1);
  await sleep(SETTLE_MS);
  t.same(c.bodies, ['m1'], 'one unacked at a time');
  ch.ack(c.messages[0]!);
  await c.next(2);
  await sleep(SETTLE_MS);
  t.same(c.bodies, ['m1', 'm2']);

  await fill(pub, 'qos-q2', numbered(3));
  const early = await channel(conn);
  const unlimited = await Collector.start(early, 'qos-q2');
  await early.prefetch(1);
  await unlimited.next(3);
  t.equal(unlimited.messages.length, 3, 'a consumer made before basic.qos keeps no limit');
});

t.test('qos global=true: one limit shared by all consumers of the channel', async (t) => {
  const conn = await connect(t, node.url);
  const pub = await confirmChannel(conn);
  await fill(pub, 'gq-1', numbered(5, 'a'));
  await fill(pub, 'gq-2', numbered(5, 'b'));
  const ch = await channel(conn);
  await ch.prefetch(2, true);
  const [a, b] = [await Collector.start(ch, 'gq-1'), await Collector.start(ch, 'gq-2')];
  const total = (): number => a.messages.length + b.messages.length;
  await until(() => total() >= 2, 'two deliveries');
  await sleep(SETTLE_MS);
  t.equal(total(), 2, 'two unacked across both consumers');
  ch.ack((a.messages[0] ?? b.messages[0])!);
  await until(() => total() >= 3, 'a third delivery');
  await sleep(SETTLE_MS);
  t.equal(total(), 3, 'one ack frees one delivery');

  await fill(pub, 'gq-3', numbered(6, 'c'));
  const both = await channel(conn);
  await both.prefetch(1, false);
  await both.prefetch(3, true);
  const cs = [await Collector.start(both, 'gq-3'), await Collector.start(both, 'gq-3'), await Collector.start(both, 'gq-3'), await Collector.start(both, 'gq-3')];
  await until(() => cs.reduce((n, c) => n + c.messages.length, 0) >= 3, 'three deliveries');
  await sleep(SETTLE_MS);
  t.same(cs.map((c) => c.messages.length).sort(), [0, 1, 1, 1], 'per-consumer 1 and channel 3 both apply');
});

t.test('basic.consume with no tag gets a server-generated amq.ctag-; reusing a tag is 530', async (t) => {
  const conn = await connect(t, node.url);
  await fill(await confirmChannel(conn), 'tag-q', ['x']);
  const c = await Collector.start(await channel(conn), 'tag-q', { noAck: true });
  t.match(c.tag, /^amq\.ctag-[A-Za-z0-9_-]{22}$/);
  const [m] = await c.next(1);
  t.equal(m?.fields.consumerTag, c.tag, 'deliveries carry the generated tag');

  const ch = await channel(conn);
  await Collector.start(ch, 'tag-q', { consumerTag: 'mine' });
  const closed = nextError(conn, 'connection.close');
  await rejection(ch.consume('tag-q', () => {}, { consumerTag: 'mine' }));
  const e = await closed;
  t.equal(e.code, 530, 'reusing a tag on the channel is a connection error');
  t.match(e.message, /NOT_ALLOWED - attempt to reuse consumer tag 'mine'/);
});

t.test('an exclusive consumer shuts out others (403) and cannot join a queue in use', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  await ch.assertQueue('xc-q', { durable: false });
  await ch.assertQueue('xc-q2', { durable: false });
  await Collector.start(ch, 'xc-q', { exclusive: true });
  await Collector.start(ch, 'xc-q2');
  const inUse = (q: string): string => `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`;
  const second = await rejection((await channel(conn)).consume('xc-q', () => {}));
  t.equal(second.code, 403);
  t.equal(replyText(second), inUse('xc-q'));
  const late = await rejection((await channel(conn)).consume('xc-q2', () => {}, { exclusive: true }));
  t.equal(late.code, 403);
  t.equal(replyText(late), inUse('xc-q2'));
});

t.test('consumer priorities: everything goes to the highest priority consumer with capacity', async (t) => {
  const conn = await connect(t, node.url);
  const pub = await confirmChannel(conn);
  await pub.assertQueue('prio-c-q', { durable: false });
  const ch = await channel(conn);
  await ch.prefetch(2);
  const high = await Collector.start(ch, 'prio-c-q', { priority: 10 });
  await ch.prefetch(0);
  const low = await Collector.start(ch, 'prio-c-q', { priority: 1 });
  const lowest = await Collector.start(ch, 'prio-c-q');
  for (const b of numbered(6)) await publishConfirmed(pub, '', 'prio-c-q', b);
  await low.next(4);
  await sleep(SETTLE_MS);
  t.same(high.bodies, ['m1', 'm2'], 'the high consumer up to its prefetch');
  t.same(low.bodies, ['m3', 'm4', 'm5', 'm6'], 'the rest to the next priority, which has no limit');
  t.same(lowest.bodies, [], 'none to the lowest');
  ch.ack(high.messages[1]!, true);
  for (const b of ['m7', 'm8']) await publishConfirmed(pub, '', 'prio-c-q', b);
  await high.next(4);
  t.same(high.bodies.slice(2), ['m7', 'm8'], 'freed capacity goes back to the high consumer');
});

t.test("a non-integer x-priority is 406 in RabbitMQ's words", async (t) => {
  const ch = await channel(await connect(t, node.url));
  await ch.assertQueue('prio-str-q', { durable: false });
  const e = await rejection(ch.consume('prio-str-q', () => {}, { arguments: { 'x-priority': 'high' } }));
  t.equal(replyText(e), `PRECONDITION_FAILED - invalid arg 'x-priority' for queue 'prio-str-q' in vhost '/': "expected integer, got longstr"`);
});

t.test('basic.cancel from the client stops deliveries', async (t) => {
  const conn = await connect(t, node.url);
  const pub = await confirmChannel(conn);
  await fill(pub, 'cancel-q', ['before']);
  const ch = await channel(conn);
  const c = await Collector.start(ch, 'cancel-q', { noAck: true });
  await c.next(1);
  t.same(await within(ch.cancel(c.tag), 'cancel-ok'), { consumerTag: c.tag });
  await publishConfirmed(pub, '', 'cancel-q', 'after');
  await sleep(SETTLE_MS);
  t.same(c.bodies, ['before']);
  t.match(await pub.checkQueue('cancel-q'), { messageCount: 1, consumerCount: 0 });
});

t.test('deleting the queue cancels its consumers from the server side', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  await ch.assertQueue('srv-cancel-q', { durable: false });
  const cancels: string[] = [];
  ch.on('cancel', (f: { consumerTag: string }) => cancels.push(f.consumerTag));
  const c = await Collector.start(ch, 'srv-cancel-q');
  await (await channel(conn)).deleteQueue('srv-cancel-q');
  await c.next(1);
  t.ok(c.cancelled, 'amqplib handed the consume callback null');
  t.same(cancels, [c.tag], 'basic.cancel named the consumer');
  await ch.checkExchange('amq.direct'); // the channel stays open
});

t.test('basic.get: messages with the remaining count, then get-empty', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await fill(ch, 'get-q', numbered(3));
  for (const [body, left] of [['m1', 2], ['m2', 1], ['m3', 0]] as const) {
    const m = await ch.get('get-q', { noAck: true });
    t.match(m, { content: Buffer.from(body), fields: { messageCount: left, redelivered: false, exchange: '', routingKey: 'get-q' } });
  }
  t.equal(await ch.get('get-q'), false, 'get-empty');
});

t.test('ack, nack and reject with multiple and requeue; redelivered is set', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await confirmChannel(conn);
  await fill(ch, 'ack-q', numbered(6));
  const [, , m3, m4, m5, m6] = await take(ch, 'ack-q', 6);
  ch.nack(m3!, true, true); // m1..m3 back
  ch.reject(m4!, false); // dropped
  ch.nack(m5!, false, false); // dropped
  ch.ack(m6!);
  const again = await take(ch, 'ack-q', 3);
  t.same(again.map((m) => [m.content.toString(), m.fields.redelivered]), [['m1', true], ['m2', true], ['m3', true]]);
  t.equal(await ch.get('ack-q'), false, 'the rejected and nacked-without-requeue ones are gone');
  ch.ack(again[2]!, true);
  await ch.close();
  t.match(await (await channel(conn)).checkQueue('ack-q'), { messageCount: 0 }, 'ack multiple settled all three');
});

t.test(
  'ack multiple names a tag that must itself be unacked',
  async (t) => {
    const conn = await connect(t, node.url);
    const ch = await confirmChannel(conn);
    await fill(ch, 'ack-multi-q', numbered(3));
    const [, m2] = await take(ch, 'ack-multi-q', 2);
    const closed = nextError(ch);
    ch.ack(m2!);
    ch.ack(m2!, true);
    t.equal(replyText(await closed), 'PRECONDITION_FAILED - unknown delivery tag 2');
    t.same(await drain(await channel(conn), 'ack-multi-q'), ['m1', 'm3'], 'm1 was not acked: it came back');
  },
);

t.test('requeued messages go back to their original place', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await fill(ch, 'order-q', numbered(5));
  const [m1, m2, m3] = await take(ch, 'order-q', 3);
  ch.reject(m3!, true);
  ch.reject(m1!, true);
  ch.nack(m2!, false, true);
  t.same(await drain(ch, 'order-q'), numbered(5));
});

t.test('acking an unknown delivery tag is 406 unknown delivery tag', async (t) => {
  const conn = await connect(t, node.url);
  const ch = await channel(conn);
  const closed = nextError(ch);
  ch.ack({ fields: { deliveryTag: 99 } } as unknown as Message);
  const e = await closed;
  t.equal(e.code, 406);
  t.equal(replyText(e), 'PRECONDITION_FAILED - unknown delivery tag 99');

  const pub = await confirmChannel(conn);
  await fill(pub, 'double-ack-q', ['x']);
  const ch2 = await channel(conn);
  const [m] = await take(ch2, 'double-ack-q', 1);
  const twice = nextError(ch2);
  ch2.ack(m!);
  ch2.ack(m!);
  t.equal(replyText(await twice), 'PRECONDITION_FAILED - unknown delivery tag 1', 'a second ack of the same tag');
});

t.test('basic.recover redelivers the unacked messages, marked redelivered', async (t) => {
  const conn = await connect(t, node.url);
  await fill(await confirmChannel(conn), 'recover-q', numbered(2));
  const ch = await channel(conn);
  const c = await Collector.start(ch, 'recover-q');
  await c.next(2);
  await within(ch.recover(), 'recover-ok');
  await c.next(4);
  t.same(c.messages.map((m) => [m.content.toString(), m.fields.redelivered]), [['m1', false], ['m2', false], ['m1', true], ['m2', true]]);
});

t.test('closing a channel requeues its unacked messages in order', async (t) => {
  const conn = await connect(t, node.url);
  const pub = await confirmChannel(conn);
  await fill(pub, 'close-q', numbered(4));
  const ch = await channel(conn);
  const c = await Collector.start(ch, 'close-q');
  await c.next(4);
  ch.ack(c.messages[1]!);
  await ch.close();
  const back = await take(pub, 'close-q', 3);
  t.same(back.map((m) => [m.content.toString(), m.fields.redelivered]), [['m1', true], ['m3', true], ['m4', true]]);
});
