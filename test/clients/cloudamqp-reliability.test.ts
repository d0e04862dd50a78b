/**
 * RabbitMQ's reliability features, driven over TCP by @cloudamqp/amqp-client (an independent client, so
 * what it decodes is what any client would see): publisher confirms and their nacks, mandatory publishes
 * and basic.return, alternate exchanges, dead-lettering with x-death headers (rejected, expired, maxlen),
 * per-message TTL and queue expiry, length limits (drop-head, bytes, reject-publish-dlx), priority
 * queues, single active consumer, and the inequivalent-argument check on exchange redeclaration.
 *
 * Every expectation is RabbitMQ 3.10's: set WARREN_BROKER_TESTS_URL to run the file against a RabbitMQ.
 */
import type { AMQPBaseClient, AMQPChannel, AMQPMessage, AMQPProperties } from '@cloudamqp/amqp-client';
import t, { type Test } from 'tap';
import { eventually } from '../helpers/wait.js';
import { cloudamqpConnect, nodeFor, rejection, sleep, within, type Scope } from '../node/broker/helpers.js';

const node = await nodeFor(t);

/** Every confirm and return the broker sent a channel, in arrival order. */
interface Watched {
  /** e.g. `return 312 NO_ROUTE amq.direct/nowhere`, `ack 3`, `nack 4 multiple`. */
  readonly frames: string[];
  /** Each publish sequence number settled, with how (acks/nacks with `multiple` expanded). */
  readonly settled: Map<number, 'ack' | 'nack'>;
  /** Sequence numbers settled more than once (must stay empty). */
  readonly duplicates: number[];
  readonly returns: AMQPMessage[];
}

/**
 * Records what the broker sends `ch`: returns through the library's `onReturn` hook, and acks/nacks by
 * wrapping `publishConfirmed`, which the library calls synchronously for each basic.ack / basic.nack
 * frame (so `frames` keeps the wire order).
 */
function watch(ch: AMQPChannel): Watched {
  const w: Watched = { frames: [], settled: new Map(), duplicates: [], returns: [] };
  ch.onReturn = (m) => {
    w.returns.push(m);
    w.frames.push(`return ${m.replyCode} ${m.replyText} ${m.exchange}/${m.routingKey}`);
  };
  const confirmed = ch.publishConfirmed.bind(ch);
  ch.publishConfirmed = (tag, multiple, nack) => {
    const how = nack ? 'nack' : 'ack';
    w.frames.push(`${how} ${tag}${multiple ? ' multiple' : ''}`);
    const seqs = multiple ? Array.from({ length: tag }, (_, i) => i + 1).filter((s) => !w.settled.has(s)) : [tag];
    if (seqs.length === 0) w.duplicates.push(tag);
    for (const s of seqs) {
      if (w.settled.has(s)) w.duplicates.push(s);
      w.settled.set(s, how);
    }
    confirmed(tag, multiple, nack);
  };
  return w;
}

/** A fresh connection (closed at teardown) with one channel in confirm mode, watched. */
async function confirming(t: Scope): Promise<{ conn: AMQPBaseClient; ch: AMQPChannel; seen: Watched }> {
  const conn = await cloudamqpConnect(t, node.url);
  const ch = await within(conn.channel(), 'channel.open');
  const seen = watch(ch);
  await within(ch.confirmSelect(), 'confirm.select');
  return { conn, ch, seen };
}

/** Publishes and waits for the broker's verdict: 'ack', or 'nack' (the library rejects the promise). */
function publish(ch: AMQPChannel, exchange: string, key: string, body: string, props: AMQPProperties = {}, mandatory = false): Promise<'ack' | 'nack'> {
  const verdict = ch.basicPublish(exchange, key, body, props, mandatory).then(
    () => 'ack' as const,
    (e: Error) => {
      if (e.message === 'Message rejected') return 'nack' as const;
      throw e;
    },
  );
  return within(verdict, `the confirm of a publish to '${exchange}'/'${key}'`);
}

/** Declares a transient queue with `args`. */
async function queue(ch: AMQPChannel, name: string, args: Record<string, unknown> = {}): Promise<void> {
  await within(ch.queueDeclare(name, { durable: false }, args), `queue.declare ${name}`);
}

/** Ready messages in a queue (queue.declare passive). */
async function depth(ch: AMQPChannel, name: string): Promise<number> {
  return (await within(ch.queueDeclare(name, { passive: true }), `queue.declare passive ${name}`)).messageCount;
}

/** Every ready message of a queue, taken with basic.get (no-ack) until get-empty. */
async function drain(ch: AMQPChannel, name: string): Promise<AMQPMessage[]> {
  const out: AMQPMessage[] = [];
  for (;;) {
    const m = await within(ch.basicGet(name, { noAck: true }), `basic.get from ${name}`);
    if (m === null) return out;
    out.push(m);
  }
}

const bodies = (ms: readonly AMQPMessage[]): (string | null)[] => ms.map((m) => m.bodyString());

/** The next message of a queue that may still be on its way (polls basic.get, no-ack). */
async function nextFrom(ch: AMQPChannel, name: string, ms = 3000): Promise<AMQPMessage> {
  let got: AMQPMessage | null = null;
  await eventually(async () => (got = await within(ch.basicGet(name, { noAck: true }), `basic.get from ${name}`)) !== null, ms);
  if (got === null) throw new Error(`no message reached ${name} within ${ms} ms`);
  return got;
}

/** The reply code and text of a server-sent channel.close (the library puts both in the error's message). */
function closeOf(e: Error): { code: number; text: string } {
  const m = /closed: (.*) \((\d+)\)$/s.exec(e.message);
  if (!m) throw new Error(`not a channel/connection close: ${e.message}`);
  return { code: Number(m[2]), text: m[1] ?? '' };
}

/** The close `p` fails with; fails the test if it succeeds or hangs. */
async function closedWith(p: Promise<unknown>, what: string): Promise<{ code: number; text: string }> {
  return closeOf(await rejection(p, what));
}

/** null if the queue exists (a passive declare on a channel of its own), else how the broker refused. */
async function passiveDeclare(conn: AMQPBaseClient, name: string): Promise<{ code: number; text: string } | null> {
  const probe = await within(conn.channel(), 'channel.open');
  return within(probe.queueDeclare(name, { passive: true }), `queue.declare passive ${name}`).then(
    async () => (await probe.close(), null),
    closeOf,
  );
}

/** Consumes `queue` (no-ack) into an array. */
async function collect(ch: AMQPChannel, name: string): Promise<{ got: string[]; cancel: () => Promise<unknown> }> {
  const got: string[] = [];
  const consumer = await within(
    ch.basicConsume(name, { noAck: true }, (m) => void got.push(m.bodyString() ?? '')),
    `basic.consume on ${name}`,
  );
  return { got, cancel: () => within(consumer.cancel(), 'basic.cancel') };
}

const DLX = 'cloudrel-dlx';

/**
 * A queue dead-lettering to DLX with routing key `<name>-dlq`, and that DLQ bound to DLX. Returns the
 * DLQ's name.
 */
async function withDeadLetterQueue(ch: AMQPChannel, name: string, args: Record<string, unknown>): Promise<string> {
  const dlq = `${name}-dlq`;
  await within(ch.exchangeDeclare(DLX, 'direct', { durable: false }), `exchange.declare ${DLX}`);
  await queue(ch, dlq);
  await within(ch.queueBind(dlq, DLX, dlq), `queue.bind ${dlq}`);
  await queue(ch, name, { 'x-dead-letter-exchange': DLX, 'x-dead-letter-routing-key': dlq, ...args });
  return dlq;
}

/**
 * Checks that a dead-lettered message records exactly one death, in `queue` (where it was published
 * through the default exchange), for `reason`. `extra` holds further x-death fields expected.
 */
function checkOneDeath(t: Test, m: AMQPMessage, queue: string, reason: string, extra: Record<string, unknown> = {}): void {
  const headers = m.properties.headers ?? {};
  const deaths = headers['x-death'] as Record<string, unknown>[] | undefined;
  const time = deaths?.[0]?.['time'];
  t.ok(time instanceof Date && Math.abs(time.getTime() - Date.now()) < 10_000, 'x-death time is a recent timestamp');
  t.same(deaths, [{ count: 1, reason, queue, exchange: '', 'routing-keys': [queue], time, ...extra }], `x-death: ${reason} once in ${queue}`);
  t.match(headers, { 'x-first-death-reason': reason, 'x-first-death-queue': queue, 'x-first-death-exchange': '' }, 'x-first-death-*');
}

t.test('publisher confirms: each publish acked exactly once; a full reject-publish queue nacks', async (t) => {
  const { ch, seen } = await confirming(t);
  await queue(ch, 'cloudrel-confirms');
  const n = 25;
  const verdicts = await Promise.all(Array.from({ length: n }, (_, i) => publish(ch, '', 'cloudrel-confirms', `m${i}`)));
  t.same(verdicts, Array(n).fill('ack'), 'every confirm promise resolved');
  t.same([...seen.settled.entries()].sort(([a], [b]) => a - b), Array.from({ length: n }, (_, i) => [i + 1, 'ack']), 'sequence numbers 1..25 each acked');
  t.same(seen.duplicates, [], 'no publish confirmed twice');
  t.equal(await depth(ch, 'cloudrel-confirms'), n);

  await queue(ch, 'cloudrel-reject-publish', { 'x-max-length': 1, 'x-overflow': 'reject-publish' });
  t.equal(await publish(ch, '', 'cloudrel-reject-publish', 'fits'), 'ack');
  t.equal(await publish(ch, '', 'cloudrel-reject-publish', 'refused'), 'nack', 'the promise rejects with "Message rejected"');
  t.equal(seen.frames.at(-1), `nack ${n + 2}`, 'a basic.nack for that one publish');
  t.same(bodies(await drain(ch, 'cloudrel-reject-publish')), ['fits'], 'the refused message was not enqueued');
  t.equal(await publish(ch, '', 'cloudrel-reject-publish', 'room again'), 'ack', 'acked once there is room');
  t.notOk(ch.closed, 'a nack does not close the channel');
});

t.test('mandatory: an unroutable publish comes back 312 NO_ROUTE, before its ack', async (t) => {
  const { ch, seen } = await confirming(t);
  const props = { contentType: 'text/plain', correlationId: 'r-1', headers: { attempt: 2, who: 'cloudrel' }, deliveryMode: 2 };
  t.equal(await publish(ch, 'amq.direct', 'cloudrel-nowhere', 'lost', props, true), 'ack', 'an unroutable publish is still acked');
  t.same(seen.frames, ['return 312 NO_ROUTE amq.direct/cloudrel-nowhere', 'ack 1'], 'the return arrives before the ack');
  const returned = seen.returns[0];
  t.equal(returned?.bodyString(), 'lost');
  t.match(returned?.properties, props, 'the properties come back as published');

  t.equal(await publish(ch, 'amq.direct', 'cloudrel-nowhere', 'dropped', {}, false), 'ack');
  t.equal(seen.returns.length, 1, 'without mandatory, nothing is returned');
});

t.test('alternate exchange: what the main exchange cannot route goes to the AE and is not returned', async (t) => {
  const { ch, seen } = await confirming(t);
  await within(ch.exchangeDeclare('cloudrel-backup', 'fanout', { durable: false }), 'exchange.declare backup');
  await queue(ch, 'cloudrel-backup-q');
  await within(ch.queueBind('cloudrel-backup-q', 'cloudrel-backup', ''), 'queue.bind backup');
  await within(ch.exchangeDeclare('cloudrel-main', 'direct', { durable: false }, { 'alternate-exchange': 'cloudrel-backup' }), 'exchange.declare main');
  await queue(ch, 'cloudrel-main-q');
  await within(ch.queueBind('cloudrel-main-q', 'cloudrel-main', 'right'), 'queue.bind main');

  await publish(ch, 'cloudrel-main', 'right', 'routed');
  await publish(ch, 'cloudrel-main', 'wrong', 'via ae');
  await publish(ch, 'cloudrel-main', 'also-wrong', 'mandatory via ae', {}, true);
  t.same(bodies(await drain(ch, 'cloudrel-main-q')), ['routed'], 'a matching key is routed normally');
  t.same(bodies(await drain(ch, 'cloudrel-backup-q')), ['via ae', 'mandatory via ae'], 'wrong keys land in the backup queue');
  t.same(seen.returns, [], 'the mandatory publish routed by the AE was not returned');
});

t.test('dead-lettering: rejected, expired and maxlen messages reach the DLQ with x-death', async (t) => {
  const { ch } = await confirming(t);

  t.test('rejected (requeue=false)', async (t) => {
    const dlq = await withDeadLetterQueue(ch, 'cloudrel-dl-rejected', {});
    await publish(ch, '', 'cloudrel-dl-rejected', 'bad', { headers: { mine: 'kept' }, expiration: '60000' });
    const m = await within(ch.basicGet('cloudrel-dl-rejected', { noAck: false }), 'basic.get');
    await m?.reject(false);
    const dead = await nextFrom(ch, dlq);
    t.equal(dead.bodyString(), 'bad');
    t.match(dead, { exchange: DLX, routingKey: dlq }, 'republished to the DLX with the dead-letter routing key');
    checkOneDeath(t, dead, 'cloudrel-dl-rejected', 'rejected', { 'original-expiration': '60000' });
    t.equal(dead.properties.headers?.['mine'], 'kept', 'the headers published are kept');
    t.equal(dead.properties.expiration, undefined, 'the expiration is moved into x-death');
    t.equal(await depth(ch, 'cloudrel-dl-rejected'), 0, 'gone from the source queue');
  });

  t.test('expired (x-message-ttl)', async (t) => {
    const dlq = await withDeadLetterQueue(ch, 'cloudrel-dl-expired', { 'x-message-ttl': 100 });
    await publish(ch, '', 'cloudrel-dl-expired', 'stale');
    const dead = await nextFrom(ch, dlq);
    t.equal(dead.bodyString(), 'stale');
    checkOneDeath(t, dead, 'cloudrel-dl-expired', 'expired');
  });

  t.test('maxlen (x-max-length 1, drop-head)', async (t) => {
    const dlq = await withDeadLetterQueue(ch, 'cloudrel-dl-maxlen', { 'x-max-length': 1, 'x-overflow': 'drop-head' });
    await publish(ch, '', 'cloudrel-dl-maxlen', 'old');
    await publish(ch, '', 'cloudrel-dl-maxlen', 'new');
    const dead = await nextFrom(ch, dlq);
    t.equal(dead.bodyString(), 'old', 'the head was dropped');
    checkOneDeath(t, dead, 'cloudrel-dl-maxlen', 'maxlen');
    t.same(bodies(await drain(ch, 'cloudrel-dl-maxlen')), ['new']);
  });
});

t.test('TTL: per-message expiration and queue expiry', async (t) => {
  const { conn, ch } = await confirming(t);

  t.test("expiration '0' and '100' on a queue without consumers", async (t) => {
    await queue(ch, 'cloudrel-ttl');
    await publish(ch, '', 'cloudrel-ttl', 'at once', { expiration: '0' });
    t.equal(await depth(ch, 'cloudrel-ttl'), 0, "expiration '0' with no consumer: dropped at once");
    await publish(ch, '', 'cloudrel-ttl', 'soon', { expiration: '100' });
    await publish(ch, '', 'cloudrel-ttl', 'forever');
    t.equal(await depth(ch, 'cloudrel-ttl'), 2, "an expiration '100' message is there at first");
    t.ok(await eventually(async () => (await depth(ch, 'cloudrel-ttl')) === 1, 3000), 'and goes once expired');
    t.same(bodies(await drain(ch, 'cloudrel-ttl')), ['forever'], 'the message without expiration stays');
  });

  t.test('x-expires: a queue unused for its expiry is deleted', async (t) => {
    const name = 'cloudrel-expires';
    const EXPIRES = 200;
    const declare = () => queue(ch, name, { 'x-expires': EXPIRES });
    const lookUp = () => passiveDeclare(conn, name);
    /** Uses the queue every 80 ms for three expiries, then says whether it is still there. */
    const keptAliveBy = async (use: () => Promise<unknown>): Promise<boolean> => {
      for (const end = Date.now() + 3 * EXPIRES; Date.now() < end; await sleep(80)) await use();
      return (await lookUp()) === null;
    };

    await declare();
    t.equal(await lookUp(), null, 'it exists just after the declare');
    t.ok(await keptAliveBy(declare), 'redeclaring it renews its lease');
    await declare();
    t.ok(await keptAliveBy(lookUp), 'a passive declare renews its lease too (RabbitMQ restarts the timer on stat)');
    await declare();

    // left alone: looked at only every two expiries, since each look that finds it renews the lease
    let gone: { code: number; text: string } | null = null;
    for (const end = Date.now() + 5000; gone === null && Date.now() < end; ) {
      await sleep(2 * EXPIRES);
      gone = await lookUp();
    }
    t.same(gone, { code: 404, text: "NOT_FOUND - no queue 'cloudrel-expires' in vhost '/'" }, 'then a passive declare fails 404');
  });
});

t.test('length limits', async (t) => {
  const { ch, seen } = await confirming(t);

  t.test('x-max-length with drop-head keeps the newest', async (t) => {
    await queue(ch, 'cloudrel-len', { 'x-max-length': 2 });
    for (const b of ['a', 'b', 'c', 'd']) await publish(ch, '', 'cloudrel-len', b);
    t.same(bodies(await drain(ch, 'cloudrel-len')), ['c', 'd']);
  });

  t.test('x-max-length-bytes counts body bytes', async (t) => {
    await queue(ch, 'cloudrel-bytes', { 'x-max-length-bytes': 6 });
    for (const b of ['aaa', 'bbb', 'ccc']) await publish(ch, '', 'cloudrel-bytes', b);
    t.same(bodies(await drain(ch, 'cloudrel-bytes')), ['bbb', 'ccc'], 'the oldest dropped to stay within 6 bytes');
    await publish(ch, '', 'cloudrel-bytes', 'toolong');
    t.same(bodies(await drain(ch, 'cloudrel-bytes')), [], 'a message bigger than the limit does not stay');
  });

  t.test('reject-publish-dlx nacks the refused message and dead-letters it', async (t) => {
    const dlq = await withDeadLetterQueue(ch, 'cloudrel-rpdlx', { 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' });
    t.equal(await publish(ch, '', 'cloudrel-rpdlx', 'first'), 'ack');
    t.equal(await publish(ch, '', 'cloudrel-rpdlx', 'refused'), 'nack');
    t.match(seen.frames.at(-1), /^nack \d+$/);
    const dead = await nextFrom(ch, dlq);
    t.equal(dead.bodyString(), 'refused');
    checkOneDeath(t, dead, 'cloudrel-rpdlx', 'maxlen');
    t.same(bodies(await drain(ch, 'cloudrel-rpdlx')), ['first'], 'the queue kept the first');
  });
});

t.test('priority queue', async (t) => {
  const { conn, ch } = await confirming(t);

  t.test('higher priorities are delivered first', async (t) => {
    await queue(ch, 'cloudrel-prio', { 'x-max-priority': 10 });
    for (const p of [4, 2, 3, 9]) await publish(ch, '', 'cloudrel-prio', `p${p}`, { priority: p });
    const c = await collect(ch, 'cloudrel-prio');
    t.ok(await eventually(() => c.got.length === 4, 3000), 'four deliveries');
    t.same(c.got, ['p9', 'p4', 'p3', 'p2']);
    await c.cancel();
  });

  t.test('a priority above the maximum counts as the maximum', async (t) => {
    await queue(ch, 'cloudrel-prio-cap', { 'x-max-priority': 10 });
    await publish(ch, '', 'cloudrel-prio-cap', 'nine', { priority: 9 });
    await publish(ch, '', 'cloudrel-prio-cap', 'ten', { priority: 10 });
    await publish(ch, '', 'cloudrel-prio-cap', 'two-hundred', { priority: 200 });
    t.same(bodies(await drain(ch, 'cloudrel-prio-cap')), ['ten', 'two-hundred', 'nine'], '200 ranks with 10, after it (FIFO)');
  });

  t.test('x-max-priority 256 is refused', async (t) => {
    const other = await conn.channel();
    const e = await closedWith(other.queueDeclare('cloudrel-prio-256', { durable: false }, { 'x-max-priority': 256 }), 'queue.declare');
    t.same(e, { code: 406, text: "PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'cloudrel-prio-256' in vhost '/': {max_value_exceeded,256}" });
  });
});

t.test('single active consumer: only one consumer gets messages; the next takes over on cancel', async (t) => {
  const { conn, ch } = await confirming(t);
  await queue(ch, 'cloudrel-sac', { 'x-single-active-consumer': true });
  const first = await collect(await conn.channel(), 'cloudrel-sac');
  const second = await collect(await conn.channel(), 'cloudrel-sac');
  t.match(await within(ch.queueDeclare('cloudrel-sac', { passive: true }), 'passive'), { consumerCount: 2 });

  for (const b of ['a', 'b', 'c']) await publish(ch, '', 'cloudrel-sac', b);
  t.ok(await eventually(() => first.got.length === 3, 3000), 'the first consumer got all three');
  t.same(first.got, ['a', 'b', 'c']);
  t.same(second.got, [], 'the second got nothing');

  await first.cancel();
  for (const b of ['d', 'e']) await publish(ch, '', 'cloudrel-sac', b);
  t.ok(await eventually(() => second.got.length === 2, 3000), 'the second consumer is now active');
  t.same(second.got, ['d', 'e']);
  t.same(first.got, ['a', 'b', 'c'], 'nothing more for the cancelled one');
});

t.test('re-declaring an exchange with another alternate-exchange is 406', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const ch = await conn.channel();
  await within(ch.exchangeDeclare('cloudrel-ae-args', 'direct', { durable: false }, { 'alternate-exchange': 'cloudrel-ae-one' }), 'exchange.declare');
  await within(ch.exchangeDeclare('cloudrel-ae-args', 'direct', { durable: false }, { 'alternate-exchange': 'cloudrel-ae-one' }), 'the same again');
  const e = await closedWith(ch.exchangeDeclare('cloudrel-ae-args', 'direct', { durable: false }, { 'alternate-exchange': 'cloudrel-ae-two' }), 'exchange.declare');
  t.same(e, {
    code: 406,
    text: "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'cloudrel-ae-args' in vhost '/': received 'cloudrel-ae-two' but current is 'cloudrel-ae-one'",
  });
  t.ok(ch.closed, 'the channel is closed');
  const again = await within(conn.channel(), 'channel.open');
  const unchanged = await within(again.exchangeDeclare('cloudrel-ae-args', 'direct', { durable: false }, { 'alternate-exchange': 'cloudrel-ae-one' }), 'exchange.declare').then(
    () => true,
    () => false,
  );
  t.ok(unchanged, 'the connection still works and the exchange keeps its first alternate-exchange');
});
