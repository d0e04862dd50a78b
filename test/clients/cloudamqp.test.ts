/**
 * @cloudamqp/amqp-client against a node: a publish/confirm/get/consume round trip and a channel error that
 * leaves the connection usable. An independent client implementation, so a codec slip that amqplib
 * tolerates shows up here.
 */
import type { AMQPMessage } from '@cloudamqp/amqp-client';
import t from 'tap';
import { cloudamqpConnect, nodeFor, within } from '../node/broker/helpers.js';

const node = await nodeFor(t);

t.test('publish with confirms, get, consume and ack', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const ch = await conn.channel();
  const q = await ch.queueDeclare('cloudamqp-q', { durable: false });
  t.match(q, { name: 'cloudamqp-q', messageCount: 0, consumerCount: 0 });
  await ch.confirmSelect();
  const props = { contentType: 'text/plain', correlationId: 'c-1', headers: { n: 1, s: 'x', nested: { ok: true } }, deliveryMode: 2 };
  const tags: number[] = [];
  for (const body of ['one', 'two', 'three']) tags.push(await within(ch.basicPublish('', 'cloudamqp-q', body, props), 'confirm'));
  t.same(tags, [1, 2, 3], 'basicPublish resolved with each confirmed sequence number');

  const got = await ch.basicGet('cloudamqp-q', { noAck: true });
  t.equal(got?.bodyString(), 'one');
  t.equal(got?.messageCount, 2, 'get-ok message count');
  t.match(got?.properties, { contentType: 'text/plain', correlationId: 'c-1', deliveryMode: 2, headers: { n: 1, s: 'x', nested: { ok: true } } });

  const received: AMQPMessage[] = [];
  let done!: () => void;
  const two = new Promise<void>((resolve) => (done = resolve));
  const consumer = await ch.basicConsume('cloudamqp-q', { noAck: false }, async (m) => {
    received.push(m);
    await m.ack();
    if (received.length === 2) done();
  });
  await within(two, 'two deliveries');
  t.same(received.map((m) => [m.bodyString(), m.redelivered, m.consumerTag]), [['two', false, consumer.tag], ['three', false, consumer.tag]]);
  await consumer.cancel();
  t.match(await ch.queueDeclare('cloudamqp-q', { passive: true }), { messageCount: 0, consumerCount: 0 });
});

t.test('a channel error closes only the channel', async (t) => {
  const conn = await cloudamqpConnect(t, node.url);
  const ch = await conn.channel();
  const err = await ch.queueDeclare('cloudamqp-missing', { passive: true }).then(
    () => null,
    (e: Error) => e,
  );
  t.match(err?.message, /NOT_FOUND - no queue 'cloudamqp-missing' in vhost '\/' \(404\)/);
  t.ok(ch.closed, 'the channel is closed');
  const again = await conn.channel();
  t.match(await again.queueDeclare('', { exclusive: true }), { name: /^amq\.gen-/ }, 'the connection still works');
  t.notOk(conn.closed);
});
