/**
 * Publisher confirms over real TCP, seen by amqplib (raw 'ack'/'nack'/'return' listeners) and by
 * @cloudamqp/amqp-client (confirm promises, onReturn): every publish settled exactly once and in order,
 * unroutable messages still acked, mandatory returns (312 NO_ROUTE, properties and body) arriving before
 * their ack, immediate=true refused with 540, and tx/confirm mode switches refused with 406.
 */
import t from 'tap';
import type { AMQPMessage } from '@cloudamqp/amqp-client';
import {
  cloudChannel,
  cloudConnect,
  cloudRejection,
  confirmChannel,
  ConfirmLog,
  connect,
  depth,
  drain,
  nodeFor,
  until,
  within,
} from './helpers.js';

const node = await nodeFor(t);

t.test('amqplib: N publishes are acked exactly once each, in order (multiple ranges expanded)', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  await ch.assertQueue('cf-n', { durable: false });
  const log = ConfirmLog.watch(ch);
  const N = 500;
  for (let i = 1; i <= N; i++) ch.publish('', 'cf-n', Buffer.from(`m${i}`));
  await within(ch.waitForConfirms(), 'waitForConfirms');
  const settled = await log.settledCount(N);
  t.same(
    settled.map((c) => c.seq),
    Array.from({ length: N }, (_, i) => i + 1),
    'sequence numbers 1..N settled in order',
  );
  t.ok(settled.every((c) => c.ok), 'all acks, no nacks');
  t.same(log.duplicates, [], 'no publish confirmed twice');
  const tags = log.frames.map((f) => Number(f.split(' ')[1]));
  t.ok(tags.every((tag, i) => i === 0 || tag > tags[i - 1]!), `ack tags strictly increase (${log.frames.length} ack frames)`);
  t.ok(log.frames.length <= N);
  t.comment(`${N} publishes confirmed by ${log.frames.length} ack frames, ${log.frames.filter((f) => f.endsWith('multiple')).length} of them multiple`);
  t.equal(await depth(ch, 'cf-n'), N, 'every acked message is in the queue');
});

t.test('@cloudamqp: confirm promises resolve with their own sequence number, in publish order', async (t) => {
  const ch = await cloudChannel(await cloudConnect(t, node.url));
  await ch.confirmSelect();
  await ch.queueDeclare('cf-cloud', { durable: false });
  const order: number[] = [];
  const pending = Array.from({ length: 200 }, (_, i) => ch.basicPublish('', 'cf-cloud', `m${i}`).then((seq) => order.push(seq)));
  await within(Promise.all(pending), '200 confirms');
  t.same(order, Array.from({ length: 200 }, (_, i) => i + 1));
  t.match(await ch.queueDeclare('cf-cloud', { durable: false }), { messageCount: 200 });
});

t.test('an unroutable transient publish (no mandatory) is still acked, and silently dropped', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  const log = ConfirmLog.watch(ch);
  ch.publish('amq.direct', 'nobody-listens', Buffer.from('lost'), { deliveryMode: 1 });
  await within(ch.waitForConfirms(), 'the confirm');
  t.same(await log.settledCount(1), [{ seq: 1, ok: true }]);
  t.same(log.returns, [], 'no return without mandatory');
});

const RETURNED_PROPS = {
  contentType: 'text/plain',
  headers: { 'x-order': 'o-17', attempt: 3 },
  messageId: 'msg-1',
  correlationId: 'corr-1',
  priority: 4,
  deliveryMode: 2,
} as const;

t.test('amqplib: mandatory unroutable -> basic.return 312 NO_ROUTE with properties and body, before its ack', async (t) => {
  const ch = await confirmChannel(await connect(t, node.url));
  const log = ConfirmLog.watch(ch);
  await ch.assertQueue('cf-routed', { durable: false });
  ch.publish('', 'cf-routed', Buffer.from('routed'), { mandatory: true });
  ch.publish('amq.direct', 'nowhere', Buffer.from('bounce'), { mandatory: true, ...RETURNED_PROPS });
  ch.publish('', 'cf-routed', Buffer.from('routed too'), { mandatory: true });
  await within(ch.waitForConfirms(), 'the confirms');
  await log.settledCount(3);
  t.same(log.settled.map((c) => c.ok), [true, true, true], 'the returned message is acked, not nacked');
  const returnAt = log.frames.findIndex((f) => f.startsWith('return'));
  const ack2At = log.frames.findIndex((f) => /^ack (\d+)/.exec(f) && Number(f.split(' ')[1]) >= 2);
  t.equal(log.frames[returnAt], 'return 312 NO_ROUTE amq.direct/nowhere bounce');
  t.ok(returnAt >= 0 && returnAt < ack2At, `the return arrives before the ack that covers it: ${log.frames.join(', ')}`);
  const m = log.returns[0]!;
  t.match(m.properties, RETURNED_PROPS, 'properties come back as published');
  t.same(await drain(ch, 'cf-routed'), ['routed', 'routed too'], 'the routable neighbours were delivered');
});

t.test('@cloudamqp: onReturn fires before the publish promise resolves, with properties and body', async (t) => {
  const ch = await cloudChannel(await cloudConnect(t, node.url));
  await ch.confirmSelect();
  const events: string[] = [];
  let returned: AMQPMessage | undefined;
  ch.onReturn = (m) => {
    returned = m;
    events.push(`return ${m.replyCode} ${m.replyText}`);
  };
  const seq = await within(
    ch.basicPublish('amq.direct', 'nowhere', 'bounce', RETURNED_PROPS, true).then((s) => (events.push(`ack ${s}`), s)),
    'the confirm of a mandatory unroutable publish',
  );
  t.equal(seq, 1);
  t.same(events, ['return 312 NO_ROUTE', 'ack 1']);
  t.equal(returned?.exchange, 'amq.direct');
  t.equal(returned?.routingKey, 'nowhere');
  t.equal(returned?.bodyToString(), 'bounce');
  t.match(returned?.properties, RETURNED_PROPS);
});

t.test('@cloudamqp: mandatory without confirms still returns; a routable mandatory publish is not returned', async (t) => {
  const ch = await cloudChannel(await cloudConnect(t, node.url));
  await ch.queueDeclare('cf-plain', { durable: false });
  const returned: string[] = [];
  ch.onReturn = (m) => returned.push(`${m.replyCode} ${m.routingKey} ${m.bodyToString()}`);
  await ch.basicPublish('', 'cf-plain', 'kept', {}, true);
  await ch.basicPublish('', 'cf-missing-queue', 'back', {}, true);
  t.ok(await until(() => returned.length > 0), 'a return arrived');
  t.same(returned, ['312 cf-missing-queue back']);
  t.match(await ch.queueDeclare('cf-plain', { durable: false }), { messageCount: 1 });
});

t.test('immediate=true is refused with connection.close 540 NOT_IMPLEMENTED', async (t) => {
  const client = await cloudConnect(t, node.url);
  let closedWith = '';
  client.onerror = (e) => (closedWith = e.message);
  const ch = await cloudChannel(client);
  await ch.queueDeclare('cf-immediate', { durable: false });
  await ch.basicPublish('', 'cf-immediate', 'now', {}, false, true).catch(() => {});
  t.ok(await until(() => client.closed), 'the connection is closed by the server');
  t.match(closedWith, /^connection closed: NOT_IMPLEMENTED - immediate=true \(540\)$/);
});

t.test('tx.select then confirm.select: 406 on the channel', async (t) => {
  const client = await cloudConnect(t, node.url);
  const ch = await cloudChannel(client);
  await ch.txSelect();
  const err = await cloudRejection(ch.confirmSelect(), 'confirm.select on a tx channel');
  t.equal(err, `channel ${ch.id} closed: PRECONDITION_FAILED - cannot switch from tx to confirm mode (406)`);
  t.notOk(client.closed, 'only the channel was closed');
  await (await cloudChannel(client)).queueDeclare('', { exclusive: true });
});

t.test('confirm.select then tx.select: 406 on the channel', async (t) => {
  const client = await cloudConnect(t, node.url);
  const ch = await cloudChannel(client);
  await ch.confirmSelect();
  const err = await cloudRejection(ch.txSelect(), 'tx.select on a confirm channel');
  t.equal(err, `channel ${ch.id} closed: PRECONDITION_FAILED - cannot switch from confirm to tx mode (406)`);
  t.notOk(client.closed, 'only the channel was closed');
});
