/**
 * The AMQP 0-9-1 surface RabbitMQ 3.10 clients rely on, driven over TCP by @cloudamqp/amqp-client (an
 * independent client, so Warren is not only tested through amqplib):
 *
 *  1. exchanges: the four types, passive declare of a missing one (404), topic `*`/`#`, headers
 *     x-match all/any, exchange-to-exchange bind/unbind, exchange.delete if-unused (406);
 *  2. queues: server-named queues, declare-ok counts, purge-ok count, delete if-empty / if-unused (406),
 *     an exclusive queue touched from another connection (405);
 *  3. basic.qos prefetch with manual acks;
 *  4. consumers: exclusive consume (403), consumer priorities, server-sent basic.cancel on queue delete;
 *  5. basic.get on an empty queue, nack/reject requeue semantics, basic.recover;
 *  6. transactions: rollback, commit, acks inside a transaction;
 *  7. sender-selected distribution (CC / BCC headers);
 *  8. mandatory publishes returned with 312 NO_ROUTE;
 *  9. publisher confirms.
 *
 * Set WARREN_BROKER_TESTS_URL=amqp://guest:guest@127.0.0.1:5672 to run the same file against RabbitMQ.
 * Names carry a per-run suffix so that reruns against a long-lived broker do not collide.
 */
import { randomUUID } from 'node:crypto';
import { AMQPError, type AMQPBaseClient, type AMQPChannel, type AMQPMessage, type AMQPProperties, type ConsumeParams } from '@cloudamqp/amqp-client';
import t from 'tap';
import { cloudamqpConnect, nodeFor, sleep, until, within } from '../node/broker/helpers.js';

const node = await nodeFor(t);
const run = randomUUID().slice(0, 8);

/** A queue or exchange name unique to this run. */
const n = (name: string): string => `cap-${name}-${run}`;

/** The reply code and text of the server close that `p` rejects with (the client puts them in the message). */
async function closeReason(p: Promise<unknown>, what: string): Promise<{ code: number; text: string }> {
  const outcome = await within(
    p.then(
      () => new Error(`expected ${what} to be refused, but it succeeded`),
      (e: unknown) => e,
    ),
    what,
  );
  const m = outcome instanceof AMQPError ? /closed: (.*) \((\d+)\)$/s.exec(outcome.message) : null;
  if (!m) throw outcome;
  return { code: Number(m[2]), text: m[1] ?? '' };
}

/** A channel in publisher-confirm mode, so every basicPublish resolves once the broker has routed it. */
async function confirmChannel(conn: AMQPBaseClient): Promise<AMQPChannel> {
  const ch = await within(conn.channel(), 'channel.open');
  await within(ch.confirmSelect(), 'confirm.select');
  return ch;
}

/** Declares each queue, non-durable (this client defaults to durable). */
async function declareQueues(ch: AMQPChannel, ...queues: string[]): Promise<void> {
  for (const q of queues) await within(ch.queueDeclare(q, { durable: false }), `queue.declare ${q}`);
}

/** Publishes `bodies` in order; on a confirm channel each waits for its confirm. */
async function publish(ch: AMQPChannel, exchange: string, key: string, bodies: string[], props: AMQPProperties = {}): Promise<void> {
  for (const body of bodies) await within(ch.basicPublish(exchange, key, body, props), `publish to '${exchange}'/'${key}'`);
}

/** Every ready message of a queue, taken with basic.get (no-ack) until get-empty. */
async function drain(ch: AMQPChannel, queue: string): Promise<AMQPMessage[]> {
  const out: AMQPMessage[] = [];
  for (let m; (m = await within(ch.basicGet(queue, { noAck: true }), `basic.get from ${queue}`)); ) out.push(m);
  return out;
}

const bodies = (ms: readonly AMQPMessage[]): (string | null)[] => ms.map((m) => m.bodyString());

/** Publishes one confirmed message and lists which of `queues` received it (each is drained). */
async function routedTo(ch: AMQPChannel, exchange: string, key: string, queues: readonly string[], props: AMQPProperties = {}): Promise<string[]> {
  await publish(ch, exchange, key, ['probe'], props);
  const hit: string[] = [];
  for (const q of queues) {
    const count = (await drain(ch, q)).length;
    if (count > 0) hit.push(count === 1 ? q : `${q} x${count}`);
  }
  return hit;
}

/** The ready-message count from a passive queue.declare. */
async function ready(ch: AMQPChannel, queue: string): Promise<number> {
  return (await within(ch.queueDeclare(queue, { passive: true }), `passive declare of ${queue}`)).messageCount;
}

/** Polls until the queue holds at least `count` ready messages (for requeues the broker applies asynchronously). */
async function readyReaches(ch: AMQPChannel, queue: string, count: number): Promise<void> {
  await within(
    (async () => {
      while ((await ready(ch, queue)) < count) await sleep(10);
    })(),
    `${queue} to hold ${count} ready messages`,
  );
}

/** A consumer (manual ack unless told otherwise) whose deliveries are collected in `messages`. */
async function consume(ch: AMQPChannel, queue: string, params: ConsumeParams = {}) {
  const messages: AMQPMessage[] = [];
  const consumer = await within(
    ch.basicConsume(queue, { noAck: false, ...params }, (m) => {
      messages.push(m);
    }),
    `basic.consume on ${queue}`,
  );
  const arrived = (count: number) => until(() => messages.length >= count, `${count} deliveries from ${queue}`);
  return { consumer, messages, arrived };
}

t.test('1. exchanges', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);

  t.test('direct, fanout, topic and headers exchanges declare; direct and fanout route as their type says', async (t) => {
    const ch = await confirmChannel(conn);
    for (const type of ['direct', 'fanout', 'topic', 'headers']) {
      await within(ch.exchangeDeclare(n(`x-${type}`), type, { durable: false }), `declare ${type}`);
      await t.resolves(ch.exchangeDeclare(n(`x-${type}`), type, { passive: true }), `passive declare of the ${type} exchange`);
    }
    const q = n('types-q');
    await declareQueues(ch, q);
    await ch.queueBind(q, n('x-direct'), 'k');
    await ch.queueBind(q, n('x-fanout'), 'k');
    t.same(await routedTo(ch, n('x-direct'), 'k', [q]), [q], 'direct: the binding key matches');
    t.same(await routedTo(ch, n('x-direct'), 'other', [q]), [], 'direct: another key does not');
    t.same(await routedTo(ch, n('x-fanout'), 'other', [q]), [q], 'fanout ignores the key');
    const redeclare = await closeReason(ch.exchangeDeclare(n('x-direct'), 'fanout', { durable: false }), 'redeclare with another type');
    t.match(redeclare, { code: 406, text: /^PRECONDITION_FAILED/ }, 'the declared type was kept: another type is inequivalent');
  });

  t.test('passive declare of a missing exchange closes the channel with 404', async (t) => {
    const ch = await within(conn.channel(), 'channel.open');
    const err = await closeReason(ch.exchangeDeclare(n('no-such-x'), 'direct', { passive: true }), 'passive declare');
    t.match(err, { code: 404, text: /^NOT_FOUND - no exchange 'cap-no-such-x-\w+' in vhost '\/'$/ });
    t.ok(ch.closed, 'the channel is closed');
  });

  t.test('topic routing with * and #', async (t) => {
    const ch = await confirmChannel(conn);
    const x = n('topic');
    const [star, hash, mid] = [n('t-star'), n('t-hash'), n('t-mid')];
    await ch.exchangeDeclare(x, 'topic', { durable: false });
    await declareQueues(ch, star, hash, mid);
    await ch.queueBind(star, x, 'a.*');
    await ch.queueBind(hash, x, 'a.#');
    await ch.queueBind(mid, x, '*.b.#');
    const qs = [star, hash, mid];
    t.same(await routedTo(ch, x, 'a.b', qs), [star, hash, mid], 'a.b');
    t.same(await routedTo(ch, x, 'a', qs), [hash], '# matches zero words, * needs exactly one');
    t.same(await routedTo(ch, x, 'a.b.c', qs), [hash, mid], 'a.b.c');
    t.same(await routedTo(ch, x, 'x.b', qs), [mid], 'x.b');
    t.same(await routedTo(ch, x, 'b.a', qs), [], 'b.a matches nothing');
  });

  t.test('headers exchange with x-match all and any', async (t) => {
    const ch = await confirmChannel(conn);
    const x = n('headers');
    const [all, any] = [n('h-all'), n('h-any')];
    await ch.exchangeDeclare(x, 'headers', { durable: false });
    await declareQueues(ch, all, any);
    await ch.queueBind(all, x, '', { 'x-match': 'all', a: '1', b: '2' });
    await ch.queueBind(any, x, '', { 'x-match': 'any', a: '1', b: '2' });
    const probe = (headers: Record<string, string>) => routedTo(ch, x, 'ignored', [all, any], { headers });
    t.same(await probe({ a: '1', b: '2' }), [all, any], 'both headers match');
    t.same(await probe({ a: '1', b: '2', c: '3' }), [all, any], 'extra headers do not matter');
    t.same(await probe({ a: '1' }), [any], 'one of two');
    t.same(await probe({ a: '1', b: '3' }), [any], 'one matches, one differs');
    t.same(await probe({ c: '3' }), [], 'none');
  });

  t.test('exchange-to-exchange bind and unbind', async (t) => {
    const ch = await confirmChannel(conn);
    const [src, dst, q] = [n('e2e-src'), n('e2e-dst'), n('e2e-q')];
    await ch.exchangeDeclare(src, 'direct', { durable: false });
    await ch.exchangeDeclare(dst, 'fanout', { durable: false });
    await declareQueues(ch, q);
    await ch.queueBind(q, dst, '');
    t.same(await routedTo(ch, src, 'k', [q]), [], 'not bound yet');
    await within(ch.exchangeBind(dst, src, 'k'), 'exchange.bind');
    t.same(await routedTo(ch, src, 'k', [q]), [q], 'routed through the destination exchange');
    t.same(await routedTo(ch, src, 'other', [q]), [], 'the source still filters by key');
    await within(ch.exchangeUnbind(dst, src, 'k'), 'exchange.unbind');
    t.same(await routedTo(ch, src, 'k', [q]), [], 'unbound');
  });

  t.test('exchange.delete if-unused on an exchange with a binding is refused with 406', async (t) => {
    const ch = await within(conn.channel(), 'channel.open');
    const [x, q] = [n('in-use-x'), n('in-use-q')];
    await ch.exchangeDeclare(x, 'direct', { durable: false });
    await declareQueues(ch, q);
    await ch.queueBind(q, x, 'k');
    const err = await closeReason(ch.exchangeDelete(x, { ifUnused: true }), 'exchange.delete if-unused');
    t.match(err, { code: 406, text: /^PRECONDITION_FAILED - exchange 'cap-in-use-x-\w+' in vhost '\/' in use$/ });

    const again = await within(conn.channel(), 'channel.open');
    await again.queueUnbind(q, x, 'k');
    await t.resolves(again.exchangeDelete(x, { ifUnused: true }), 'once unbound, if-unused deletes it');
    t.match(await closeReason(again.exchangeDeclare(x, 'direct', { passive: true }), 'passive declare'), { code: 404 }, 'it is gone');
  });
});

t.test('2. queues', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);

  t.test('a server-named queue gets an amq.gen- name', async (t) => {
    const ch = await within(conn.channel(), 'channel.open');
    const first = await ch.queueDeclare('', { durable: false, exclusive: true });
    const second = await ch.queueDeclare('', { durable: false, exclusive: true });
    t.match(first.name, /^amq\.gen-.+/);
    t.not(first.name, second.name, 'each name is fresh');
    t.match(await ch.queueDeclare(first.name, { passive: true }), { name: first.name }, 'the queue exists under that name');
  });

  t.test('declare-ok reports ready messages and consumers', async (t) => {
    const ch = await confirmChannel(conn);
    const q = n('counts');
    t.match(await ch.queueDeclare(q, { durable: false }), { name: q, messageCount: 0, consumerCount: 0 });
    await publish(ch, '', q, ['1', '2', '3']);
    t.match(await ch.queueDeclare(q, { passive: true }), { messageCount: 3, consumerCount: 0 });
    const consumerCh = await within(conn.channel(), 'channel.open');
    await consumerCh.prefetch(1);
    const c = await consume(consumerCh, q);
    await c.arrived(1);
    t.match(await ch.queueDeclare(q, { durable: false }), { messageCount: 2, consumerCount: 1 }, 'one delivered and unacked');
  });

  t.test('purge-ok carries the number of purged messages', async (t) => {
    const ch = await confirmChannel(conn);
    const q = n('purge');
    await declareQueues(ch, q);
    await publish(ch, '', q, ['1', '2', '3', '4']);
    t.same(await ch.queuePurge(q), { messageCount: 4 });
    t.equal(await ready(ch, q), 0);
    t.same(await ch.queuePurge(q), { messageCount: 0 }, 'purging an empty queue');
  });

  t.test('queue.delete if-empty on a non-empty queue is refused with 406', async (t) => {
    const ch = await confirmChannel(conn);
    const q = n('not-empty');
    await declareQueues(ch, q);
    await publish(ch, '', q, ['1', '2']);
    const err = await closeReason(ch.queueDelete(q, { ifEmpty: true }), 'queue.delete if-empty');
    t.match(err, { code: 406, text: /^PRECONDITION_FAILED - queue 'cap-not-empty-\w+' in vhost '\/' not empty$/ });
    const again = await within(conn.channel(), 'channel.open');
    t.same(await again.queueDelete(q), { messageCount: 2 }, 'still there with both messages; a plain delete reports them');
  });

  t.test('queue.delete if-unused on a queue with a consumer is refused with 406', async (t) => {
    const ch = await within(conn.channel(), 'channel.open');
    const q = n('in-use');
    await declareQueues(ch, q);
    const consumerCh = await within(conn.channel(), 'channel.open');
    const c = await consume(consumerCh, q);
    const err = await closeReason(ch.queueDelete(q, { ifUnused: true }), 'queue.delete if-unused');
    t.match(err, { code: 406, text: /^PRECONDITION_FAILED - queue 'cap-in-use-\w+' in vhost '\/' in use$/ });
    await c.consumer.cancel();
    const again = await within(conn.channel(), 'channel.open');
    await t.resolves(again.queueDelete(q, { ifUnused: true }), 'without the consumer, if-unused deletes it');
  });

  t.test('an exclusive queue is locked to its connection: 405 RESOURCE_LOCKED elsewhere', async (t) => {
    const ch = await confirmChannel(conn);
    const q = n('exclusive');
    await ch.queueDeclare(q, { durable: false, exclusive: true });
    await publish(ch, '', q, ['mine']);
    const other = await cloudamqpConnect(t, node.url);
    const locked = /^RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'cap-exclusive-\w+' in vhost '\/'/;
    const consumeErr = await closeReason((await other.channel()).basicConsume(q, {}, () => {}), 'basic.consume from another connection');
    t.match(consumeErr, { code: 405, text: locked }, 'consume');
    const declareErr = await closeReason((await other.channel()).queueDeclare(q, { passive: true }), 'passive declare from another connection');
    t.match(declareErr, { code: 405, text: locked }, 'passive declare');
    const getErr = await closeReason((await other.channel()).basicGet(q), 'basic.get from another connection');
    t.match(getErr, { code: 405, text: locked }, 'get');
    t.same(bodies(await drain(ch, q)), ['mine'], 'the owner still uses it');
  });
});

t.test('3. basic.qos prefetch 2 with manual ack keeps at most 2 unacked', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const ch = await confirmChannel(conn);
  const q = n('qos');
  await declareQueues(ch, q);
  await publish(ch, '', q, ['1', '2', '3', '4', '5']);
  const consumerCh = await within(conn.channel(), 'channel.open');
  await within(consumerCh.basicQos(2), 'basic.qos');
  const c = await consume(consumerCh, q);
  await c.arrived(2);
  await sleep(200); // room for any delivery beyond the prefetch to show up
  t.same(bodies(c.messages), ['1', '2'], 'two delivered');
  t.equal(await ready(ch, q), 3, 'three still ready in the queue');
  await c.messages[0]!.ack();
  await c.arrived(3);
  await sleep(200);
  t.same(bodies(c.messages), ['1', '2', '3'], 'one ack lets exactly one more through');
  t.equal(await ready(ch, q), 2);
});

t.test('4. consumers', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);

  t.test('a second consumer on a queue with an exclusive consumer is refused with 403', async (t) => {
    const ch = await within(conn.channel(), 'channel.open');
    const q = n('excl-consumer');
    await declareQueues(ch, q);
    await consume(ch, q, { exclusive: true });
    const other = await within(conn.channel(), 'channel.open');
    const err = await closeReason(other.basicConsume(q, { noAck: false }, () => {}), 'a second basic.consume');
    t.match(err, { code: 403, text: /^ACCESS_REFUSED - queue 'cap-excl-consumer-\w+' in vhost '\/' in exclusive use$/ });
    t.notOk(ch.closed, "the exclusive consumer's channel is unaffected");
  });

  t.test('consumer priority: the higher x-priority consumer gets messages while it has credit', async (t) => {
    const ch = await confirmChannel(conn);
    const q = n('priority');
    await declareQueues(ch, q);
    const lowCh = await within(conn.channel(), 'channel.open');
    const highCh = await within(conn.channel(), 'channel.open');
    await highCh.basicQos(2);
    const low = await consume(lowCh, q); // registered first: round-robin would favour it
    const high = await consume(highCh, q, { args: { 'x-priority': 10 } });
    await publish(ch, '', q, ['1', '2', '3', '4', '5']);
    await until(() => low.messages.length + high.messages.length === 5, 'all five delivered');
    t.same(bodies(high.messages), ['1', '2'], 'the high-priority consumer takes as many as its prefetch allows');
    t.same(bodies(low.messages), ['3', '4', '5'], 'the rest overflow to the low-priority consumer');
  });

  t.test('deleting the queue cancels its consumers from the server side', async (t) => {
    const ch = await within(conn.channel(), 'channel.open');
    const q = n('cancelled');
    await declareQueues(ch, q);
    const c = await consume(ch, q);
    const other = await within(conn.channel(), 'channel.open');
    await other.queueDelete(q);
    const ended = await within(
      c.consumer.wait().then(
        () => 'ended without an error',
        (e: Error) => e.message,
      ),
      'the consumer to end',
    );
    t.equal(ended, 'Consumer cancelled by the server');
    t.notOk(ch.consumers.has(c.consumer.tag), 'the client dropped the consumer');
    t.notOk(ch.closed, 'the channel stays open');
  });
});

t.test('5. basic.get, nack, reject and recover', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const ch = await confirmChannel(conn);

  t.test('basic.get on an empty queue yields get-empty', async (t) => {
    const q = n('empty');
    await declareQueues(ch, q);
    t.equal(await ch.basicGet(q), null);
    await publish(ch, '', q, ['x']);
    t.equal((await ch.basicGet(q))?.bodyString(), 'x', 'and the message once there is one');
  });

  t.test('nack with requeue redelivers with redelivered set', async (t) => {
    const q = n('nack');
    await declareQueues(ch, q);
    await publish(ch, '', q, ['n']);
    const first = await ch.basicGet(q, { noAck: false });
    t.match(first, { redelivered: false });
    await first!.nack(true);
    const second = await ch.basicGet(q, { noAck: false });
    t.equal(second?.bodyString(), 'n');
    t.equal(second?.redelivered, true);
    await second!.ack();
    t.equal(await ready(ch, q), 0);
  });

  t.test('reject without requeue drops the message', async (t) => {
    const q = n('reject');
    await declareQueues(ch, q);
    await publish(ch, '', q, ['r', 'after']);
    const m = await ch.basicGet(q, { noAck: false });
    t.equal(m?.bodyString(), 'r');
    await m!.reject(false);
    t.same(bodies(await drain(ch, q)), ['after'], 'the rejected message is gone');
  });

  t.test('basic.recover with requeue redelivers unacked messages', async (t) => {
    const q = n('recover');
    await declareQueues(ch, q);
    const consumerCh = await within(conn.channel(), 'channel.open');
    const c = await consume(consumerCh, q);
    await publish(ch, '', q, ['again']);
    await c.arrived(1);
    await within(consumerCh.basicRecover(true), 'basic.recover');
    await c.arrived(2);
    t.same(
      c.messages.map((m) => [m.bodyString(), m.redelivered]),
      [
        ['again', false],
        ['again', true],
      ],
    );
  });
});

t.test('6. transactions', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const observer = await within(conn.channel(), 'channel.open');

  t.test('publishes take effect on commit only', async (t) => {
    const q = n('tx-publish');
    await declareQueues(observer, q);
    const tx = await within(conn.channel(), 'channel.open');
    await within(tx.txSelect(), 'tx.select');
    await publish(tx, '', q, ['rolled back']);
    await within(tx.txRollback(), 'tx.rollback');
    t.equal(await ready(observer, q), 0, 'nothing after rollback');
    await publish(tx, '', q, ['committed']);
    t.equal(await ready(observer, q), 0, 'nothing before commit');
    await within(tx.txCommit(), 'tx.commit');
    t.same(bodies(await drain(observer, q)), ['committed']);
  });

  t.test('an ack inside a transaction is applied on commit only', async (t) => {
    const q = n('tx-ack');
    await declareQueues(observer, q);
    await publish(observer, '', q, ['a', 'b']);
    // Each round: get both, ack 'a' in the transaction, close the channel (which requeues whatever is unacked).
    const round = async (commit: boolean) => {
      const tx = await within(conn.channel(), 'channel.open');
      await within(tx.txSelect(), 'tx.select');
      const a = await tx.basicGet(q, { noAck: false });
      await tx.basicGet(q, { noAck: false });
      await a!.ack();
      if (commit) await within(tx.txCommit(), 'tx.commit');
      await within(tx.close(), 'channel.close');
    };
    await round(false);
    await readyReaches(observer, q, 2);
    t.pass('without a commit both messages came back');
    await round(true);
    await readyReaches(observer, q, 1);
    t.same(bodies(await drain(observer, q)), ['b'], "with a commit 'a' stays acked");
  });
});

t.test('7. sender-selected distribution', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const ch = await confirmChannel(conn);
  const x = n('ssd');
  const [to, cc, bcc, other] = [n('ssd-to'), n('ssd-cc'), n('ssd-bcc'), n('ssd-other')];
  await ch.exchangeDeclare(x, 'direct', { durable: false });
  for (const q of [to, cc, bcc, other]) {
    await declareQueues(ch, q);
    await ch.queueBind(q, x, q);
  }
  const all = [to, cc, bcc, other];

  t.test('CC routes to the extra keys and stays on the message', async (t) => {
    await publish(ch, x, to, ['cc'], { headers: { CC: [cc], keep: 'yes' } });
    const got = await Promise.all(all.map((q) => drain(ch, q)));
    t.same(got.map((ms) => ms.length), [1, 1, 0, 0], 'routed to the key and the CC key');
    t.match(got[1]![0]?.properties.headers, { CC: [cc], keep: 'yes' });
  });

  t.test('BCC routes to the extra keys and is removed before delivery', async (t) => {
    await publish(ch, x, to, ['bcc'], { headers: { BCC: [bcc], keep: 'yes' } });
    const got = await Promise.all(all.map((q) => drain(ch, q)));
    t.same(got.map((ms) => ms.length), [1, 0, 1, 0], 'routed to the key and the BCC key');
    for (const ms of [got[0]!, got[2]!]) {
      const headers = ms[0]?.properties.headers ?? {};
      t.equal(headers['keep'], 'yes', 'other headers survive');
      t.notOk('BCC' in headers, 'no BCC header on the delivered copy');
    }
  });
});

t.test('8. an unroutable mandatory publish comes back as basic.return 312 NO_ROUTE', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const ch = await confirmChannel(conn);
  const returned: AMQPMessage[] = [];
  ch.onReturn = (m) => returned.push(m);
  const [x, q] = [n('mandatory'), n('mandatory-q')];
  await ch.exchangeDeclare(x, 'direct', { durable: false });
  await declareQueues(ch, q);
  await ch.queueBind(q, x, 'bound');
  await within(ch.basicPublish(x, 'bound', 'routed', {}, true), 'mandatory publish that routes');
  await within(ch.basicPublish(x, 'nowhere', 'lost', { messageId: 'm-1' }, true), 'mandatory publish that does not');
  await until(() => returned.length > 0, 'a basic.return');
  t.equal(returned.length, 1, 'only the unroutable one');
  const [r] = returned;
  t.match(r, { replyCode: 312, replyText: 'NO_ROUTE', exchange: x, routingKey: 'nowhere', properties: { messageId: 'm-1' } });
  t.equal(r?.bodyString(), 'lost');
  t.same(bodies(await drain(ch, q)), ['routed']);
});

t.test('9. publisher confirms: 50 publishes, 50 confirms', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const ch = await confirmChannel(conn);
  const q = n('confirms');
  await declareQueues(ch, q);
  const publishes = Array.from({ length: 50 }, (_, i) => ch.basicPublish('', q, `m${i}`));
  const tags = await within(Promise.all(publishes), '50 confirms');
  t.same(tags, Array.from({ length: 50 }, (_, i) => i + 1), 'each publish confirmed with its own sequence number');
  t.equal(await ready(ch, q), 50, 'all fifty enqueued');
});
