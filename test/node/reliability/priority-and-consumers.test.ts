/**
 * Priority queues and consumer selection over real TCP: the user's notes §9.2 example (also run
 * differentially against RabbitMQ when it is reachable), priorities capped at x-max-priority, FIFO within
 * a level (also after nack-requeue), the x-max-priority bound, single active consumer, consumer priorities
 * (x-priority) and exclusive consumers.
 */
import t from 'tap';
import amqp, { type Channel } from 'amqplib';
import { scenario } from '../../differential/harness.js';
import { channel, Collector, confirmChannel, connect, drain, getOne, nodeFor, rejection, replyText, sleep, until, within, type Scope } from './helpers.js';

const node = await nodeFor(t);
const Q = { durable: false } as const;

/**
 * §9.2: priority.queue (x-max-priority 10) bound to normal.exchange with key 'key'; 消息1..4 published with
 * priorities 4, 2, 3, 9 while no consumer runs, then a consumer starts. Returns what it logged, in order.
 */
async function section92(url: string, name: (base: string) => string): Promise<string[]> {
  const conn = await within(amqp.connect(url), 'connect', 10_000);
  conn.on('error', () => {});
  try {
    const ch = await conn.createConfirmChannel();
    const [exchange, queue] = [name('normal.exchange'), name('priority.queue')];
    await ch.assertExchange(exchange, 'direct', { durable: true });
    await ch.assertQueue(queue, { durable: true, maxPriority: 10 });
    await ch.bindQueue(queue, exchange, 'key');
    for (const [body, priority] of [['消息1', 4], ['消息2', 2], ['消息3', 3], ['消息4', 9]] as const) {
      ch.publish(exchange, 'key', Buffer.from(body), { priority });
    }
    await within(ch.waitForConfirms(), 'confirms', 10_000);
    const got: string[] = [];
    await ch.consume(queue, (m) => m && got.push(`${m.content.toString()} priority ${m.properties.priority}`), { noAck: true });
    await until(() => got.length >= 4, 10_000);
    await sleep(50);
    return got;
  } finally {
    await conn.close().catch(() => {});
  }
}

t.test('§9.2: priorities 4, 2, 3, 9 published first are consumed as 9, 4, 3, 2', async (t) => {
  t.same(await section92(node.url, (n) => n), ['消息4 priority 9', '消息1 priority 4', '消息3 priority 3', '消息2 priority 2']);
  const ch = await channel(await connect(t, node.url));
  await ch.deleteQueue('priority.queue');
  await ch.deleteExchange('normal.exchange');
});

scenario('differential: the notes §9.2 priority queue example', (env) => section92(env.url, (n) => env.name(n)));

t.test('priorities above x-max-priority count as the max; FIFO within a level', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('prio-cap', { ...Q, maxPriority: 5 });
  for (const [body, priority] of [['a5', 5], ['b200', 200], ['c3', 3], ['d5', 5], ['e9', 9], ['f0', 0], ['g-none', undefined]] as const) {
    ch.sendToQueue('prio-cap', Buffer.from(body), priority === undefined ? {} : { priority });
  }
  await within(ch.waitForConfirms(), 'confirms');
  t.same(await drain(ch, 'prio-cap'), ['a5', 'b200', 'd5', 'e9', 'c3', 'f0', 'g-none']);
});

t.test('FIFO within a level survives nack-requeue (requeued messages go back to their place)', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('prio-requeue', { ...Q, maxPriority: 5 });
  for (const [body, priority] of [['a1', 1], ['a2', 1], ['a3', 1], ['b5', 5]] as const) ch.sendToQueue('prio-requeue', Buffer.from(body), { priority });
  await within(ch.waitForConfirms(), 'confirms');
  const taken = [await getOne(ch, 'prio-requeue'), await getOne(ch, 'prio-requeue'), await getOne(ch, 'prio-requeue')];
  t.same(taken.map((m) => m.content.toString()), ['b5', 'a1', 'a2']);
  ch.nack(taken[2]!, false, true);
  ch.nack(taken[1]!, false, true);
  ch.ack(taken[0]!);
  const rest: string[] = [];
  for (let i = 0; i < 3; i++) {
    const m = await getOne(ch, 'prio-requeue');
    rest.push(`${m.content.toString()}${m.fields.redelivered ? ' (redelivered)' : ''}`);
    ch.ack(m);
  }
  t.same(rest, ['a1 (redelivered)', 'a2 (redelivered)', 'a3']);
});

t.test('x-max-priority 255 is accepted, 256 is 406 {max_value_exceeded,256}', async (t) => {
  const conn = await connect(t, node.url);
  await (await channel(conn)).assertQueue('prio-255', { ...Q, maxPriority: 255 });
  const e = await rejection((await channel(conn)).assertQueue('prio-256', { ...Q, maxPriority: 256 }));
  t.equal(e.code, 406);
  t.equal(replyText(e), "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'prio-256' in vhost '/': {max_value_exceeded,256}");
});

/** Opens a channel with prefetch `n` and a collecting consumer on `queue`. */
async function consumerOn(t: Scope, queue: string, prefetch: number, args: Record<string, unknown> = {}) {
  const ch = await channel(await connect(t, node.url));
  await ch.prefetch(prefetch);
  return { ch, c: await Collector.start(ch, queue, { arguments: args }) };
}

t.test('single active consumer: only the first receives; when it is cancelled the next takes over', async (t) => {
  const pub = await confirmChannel(await connect(t, node.url));
  await pub.assertQueue('sac-q', { ...Q, arguments: { 'x-single-active-consumer': true } });
  const first = await consumerOn(t, 'sac-q', 10);
  const second = await consumerOn(t, 'sac-q', 10);
  for (const b of ['1', '2', '3']) pub.sendToQueue('sac-q', Buffer.from(b));
  await first.c.next(3);
  await sleep(50);
  t.same([first.c.bodies, second.c.bodies], [['1', '2', '3'], []]);
  await within(first.ch.cancel(first.c.tag), 'cancel');
  for (const b of ['4', '5']) pub.sendToQueue('sac-q', Buffer.from(b));
  await second.c.next(2);
  t.same(second.c.bodies, ['4', '5']);
});

t.test('single active consumer: the first one\'s unacked messages go to the next when its channel closes', async (t) => {
  const pub = await confirmChannel(await connect(t, node.url));
  await pub.assertQueue('sac-close', { ...Q, arguments: { 'x-single-active-consumer': true } });
  const first = await consumerOn(t, 'sac-close', 2);
  const second = await consumerOn(t, 'sac-close', 10);
  for (const b of ['1', '2', '3']) pub.sendToQueue('sac-close', Buffer.from(b));
  await first.c.next(2);
  await sleep(50);
  t.same([first.c.bodies, second.c.bodies], [['1', '2'], []], 'the first holds two unacked; the third waits');
  await within(first.ch.close(), 'channel close');
  await second.c.next(3);
  const got = second.c.messages.map((m) => `${m.content.toString()}${m.fields.redelivered ? '*' : ''}`);
  t.same([...got].sort(), ['1*', '2*', '3'], 'the second gets all three, the requeued ones marked redelivered');
  t.same(got, ['1*', '2*', '3'], 'in their original order');
});

t.test('consumer priorities: the highest-priority consumer with capacity gets everything', async (t) => {
  const pub = await confirmChannel(await connect(t, node.url));
  await pub.assertQueue('cprio-q', Q);
  const low = await consumerOn(t, 'cprio-q', 10, { 'x-priority': 1 });
  const high = await consumerOn(t, 'cprio-q', 2, { 'x-priority': 10 });
  const plain = await consumerOn(t, 'cprio-q', 10);
  for (const b of ['1', '2', '3', '4', '5', '6']) pub.sendToQueue('cprio-q', Buffer.from(b));
  await low.c.next(4);
  await sleep(50);
  t.same([high.c.bodies, low.c.bodies, plain.c.bodies], [['1', '2'], ['3', '4', '5', '6'], []], 'the lower one only gets what the higher one has no room for');
  // one multiple ack: two separate ack frames can sit in the client's Nagle buffer for ~40 ms
  high.ch.ack(high.c.messages[1]!, true);
  await sleep(50);
  for (const b of ['7', '8']) pub.sendToQueue('cprio-q', Buffer.from(b));
  await high.c.next(4);
  await sleep(50);
  t.same([high.c.bodies.slice(2), low.c.bodies.length, plain.c.bodies], [['7', '8'], 4, []], 'room again: back to the highest');
});

t.test('x-priority must be an integer: 406', async (t) => {
  const ch: Channel = await channel(await connect(t, node.url));
  await ch.assertQueue('cprio-bad', Q);
  const e = await rejection(ch.consume('cprio-bad', () => {}, { arguments: { 'x-priority': 'high' } }));
  t.equal(e.code, 406);
});

t.test('exclusive consumer: others are refused (403) while it is attached, allowed after', async (t) => {
  const conn = await connect(t, node.url);
  const owner = await channel(conn);
  await owner.assertQueue('excl-c', Q);
  const c = await Collector.start(owner, 'excl-c', { exclusive: true });
  const refused = await rejection((await channel(conn)).consume('excl-c', () => {}));
  t.equal(refused.code, 403);
  t.equal(replyText(refused), "ACCESS_REFUSED - queue 'excl-c' in vhost '/' in exclusive use");
  await within(owner.cancel(c.tag), 'cancel');
  const other = await channel(conn);
  await Collector.start(other, 'excl-c');
  const late = await rejection((await channel(conn)).consume('excl-c', () => {}, { exclusive: true }));
  t.equal(late.code, 403, 'an exclusive consumer cannot join a queue that has consumers');
  t.equal(replyText(late), "ACCESS_REFUSED - queue 'excl-c' in vhost '/' in exclusive use");
});
